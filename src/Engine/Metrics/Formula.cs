using System.Globalization;
using System.Text;

namespace SalesDash.Engine.Metrics;

/// <summary>A node of a parsed formula. Formulas are data: they are walked by <see cref="FormulaEvaluator"/>, never compiled.</summary>
public abstract record FormulaNode
{
    private protected FormulaNode()
    {
    }
}

/// <summary>A literal; the parser only makes non-negative ones (a leading minus is <see cref="FormulaNegate"/>).</summary>
public sealed record FormulaNumber(decimal Value) : FormulaNode;

/// <summary>A figure by name, e.g. net_revenue.</summary>
public sealed record FormulaName(string Name) : FormulaNode;

public sealed record FormulaNegate(FormulaNode Operand) : FormulaNode;

public enum FormulaOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

public sealed record FormulaBinary(FormulaOperator Operator, FormulaNode Left, FormulaNode Right) : FormulaNode;

/// <summary>A function call; equality compares the arguments element by element.</summary>
public sealed record FormulaCall(string Function, IReadOnlyList<FormulaNode> Arguments) : FormulaNode
{
    public bool Equals(FormulaCall? other) =>
        other is not null && Function == other.Function && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Function);
        foreach (var argument in Arguments)
        {
            hash.Add(argument);
        }

        return hash.ToHashCode();
    }
}

/// <summary>What is wrong with a formula and where: a 0-based character position and the length of the offending text.</summary>
public sealed record FormulaError(int Position, int Length, string Message);

/// <summary>A parse: the tree when the formula is valid, else the errors (positions in the original text).</summary>
public sealed record FormulaParse(FormulaNode? Tree, IReadOnlyList<FormulaError> Errors)
{
    public bool IsValid => Tree is not null && Errors.Count == 0;
}

/// <summary>
/// The formula language of custom metrics: numbers, figure names, + - * /, parentheses, unary minus and a few
/// functions. Written by hand (tokenizer + recursive descent) so what it accepts is exactly this grammar:
/// <code>
/// expr   := term (('+' | '-') term)*
/// term   := unary (('*' | '/') unary)*
/// unary  := '-' unary | atom
/// atom   := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
/// </code>
/// </summary>
public static class FormulaLanguage
{
    /// <summary>Long enough for any sensible ratio of sums; short enough that nobody pastes a program.</summary>
    public const int MaxLength = 500;

    /// <summary>Nesting bound, so a hostile formula cannot overflow the parser's or evaluator's stack.</summary>
    public const int MaxDepth = 20;

    /// <summary>Functions and how many arguments each takes (min, max; max null = any number).</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int? Max, string Description)> Functions =
        new Dictionary<string, (int, int?, string)>(StringComparer.Ordinal)
        {
            ["min"] = (2, null, "the smallest of its arguments"),
            ["max"] = (2, null, "the largest of its arguments"),
            ["abs"] = (1, 1, "the value without its sign"),
            ["if_zero"] = (2, 2, "its first argument, or the second when the first is zero or has no value"),
        };

    /// <summary>Parses and checks <paramref name="text"/> against the known figure names.</summary>
    public static FormulaParse Parse(string? text, IReadOnlySet<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (string.IsNullOrWhiteSpace(text))
        {
            return new FormulaParse(null, [new FormulaError(0, 0, "A formula is required, e.g. net_revenue - ad_spend.")]);
        }

        if (text.Length > MaxLength)
        {
            return new FormulaParse(null, [new FormulaError(MaxLength, text.Length - MaxLength, $"A formula is at most {MaxLength} characters.")]);
        }

        var tokens = Tokenizer.Tokenize(text, out var tokenError);
        if (tokenError is not null)
        {
            return new FormulaParse(null, [tokenError]);
        }

        var parser = new Parser(tokens, names);
        try
        {
            var tree = parser.ParseAll();
            return parser.Errors.Count == 0 ? new FormulaParse(tree, []) : new FormulaParse(null, parser.Errors);
        }
        catch (FormulaSyntaxException e)
        {
            return new FormulaParse(null, [e.Error]);
        }
    }

    /// <summary>The formula as text, with only the parentheses its meaning needs; parsing the answer gives the same tree.</summary>
    public static string Print(FormulaNode node)
    {
        var text = new StringBuilder();
        Print(node, text);
        return text.ToString();
    }

    /// <summary>The figure names a formula uses, each once, in order of first use.</summary>
    public static IReadOnlyList<string> NamesIn(FormulaNode node)
    {
        var names = new List<string>();
        void Walk(FormulaNode n)
        {
            switch (n)
            {
                case FormulaName name when !names.Contains(name.Name):
                    names.Add(name.Name);
                    break;
                case FormulaNegate negate:
                    Walk(negate.Operand);
                    break;
                case FormulaBinary binary:
                    Walk(binary.Left);
                    Walk(binary.Right);
                    break;
                case FormulaCall call:
                    call.Arguments.ToList().ForEach(Walk);
                    break;
            }
        }

        Walk(node);
        return names;
    }

    private static int Precedence(FormulaNode node) => node switch
    {
        FormulaBinary { Operator: FormulaOperator.Add or FormulaOperator.Subtract } => 1,
        FormulaBinary => 2,
        FormulaNegate => 3,
        _ => 4,
    };

    private static void Print(FormulaNode node, StringBuilder text)
    {
        switch (node)
        {
            case FormulaNumber number:
                text.Append(number.Value.ToString(CultureInfo.InvariantCulture));
                break;
            case FormulaName name:
                text.Append(name.Name);
                break;
            case FormulaNegate negate:
                text.Append('-');
                Wrapped(negate.Operand, Precedence(negate.Operand) < 3, text);
                break;
            case FormulaBinary binary:
                var own = Precedence(binary);
                Wrapped(binary.Left, Precedence(binary.Left) < own, text);
                text.Append(binary.Operator switch
                {
                    FormulaOperator.Add => " + ",
                    FormulaOperator.Subtract => " - ",
                    FormulaOperator.Multiply => " * ",
                    _ => " / ",
                });

                // Operators group left to right: a right operand of the same level needs parentheses to stay on the right.
                Wrapped(binary.Right, Precedence(binary.Right) <= own, text);
                break;
            case FormulaCall call:
                text.Append(call.Function).Append('(');
                for (var i = 0; i < call.Arguments.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    Print(call.Arguments[i], text);
                }

                text.Append(')');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(node), node, "Unknown formula node.");
        }
    }

    private static void Wrapped(FormulaNode node, bool parenthesise, StringBuilder text)
    {
        if (parenthesise)
        {
            text.Append('(');
        }

        Print(node, text);
        if (parenthesise)
        {
            text.Append(')');
        }
    }

    private enum TokenKind
    {
        Number,
        Name,
        Plus,
        Minus,
        Star,
        Slash,
        Open,
        Close,
        Comma,
        End,
    }

    private readonly record struct Token(TokenKind Kind, int Position, string Text);

    private sealed class FormulaSyntaxException(FormulaError error) : Exception(error.Message)
    {
        public FormulaError Error { get; } = error;
    }

    private static class Tokenizer
    {
        public static List<Token> Tokenize(string text, out FormulaError? error)
        {
            var tokens = new List<Token>();
            error = null;
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    var start = i;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] == '.')
                    {
                        i++;
                        while (i < text.Length && char.IsAsciiDigit(text[i]))
                        {
                            i++;
                        }
                    }

                    if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_' || text[i] == '.'))
                    {
                        error = new FormulaError(start, i - start + 1, $"'{text[start..(i + 1)]}' is not a number.");
                        return tokens;
                    }

                    tokens.Add(new Token(TokenKind.Number, start, text[start..i]));
                    continue;
                }

                if (char.IsAsciiLetter(c) || c == '_')
                {
                    var start = i;
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }

                    tokens.Add(new Token(TokenKind.Name, start, text[start..i]));
                    continue;
                }

                var kind = c switch
                {
                    '+' => TokenKind.Plus,
                    '-' => TokenKind.Minus,
                    '*' => TokenKind.Star,
                    '/' => TokenKind.Slash,
                    '(' => TokenKind.Open,
                    ')' => TokenKind.Close,
                    ',' => TokenKind.Comma,
                    _ => (TokenKind?)null,
                };
                if (kind is null)
                {
                    error = new FormulaError(i, 1, $"'{c}' is not allowed in a formula: use numbers, figure names, + - * /, parentheses and functions.");
                    return tokens;
                }

                tokens.Add(new Token(kind.Value, i, c.ToString()));
                i++;
            }

            tokens.Add(new Token(TokenKind.End, text.Length, string.Empty));
            return tokens;
        }
    }

    private sealed class Parser(List<Token> tokens, IReadOnlySet<string> names)
    {
        private int _next;
        private int _depth;

        /// <summary>Unknown names and wrong argument counts: collected, so one answer lists them all.</summary>
        public List<FormulaError> Errors { get; } = [];

        private Token Current => tokens[_next];

        public FormulaNode ParseAll()
        {
            var tree = Expression();
            if (Current.Kind != TokenKind.End)
            {
                throw Current.Kind == TokenKind.Close
                    ? new FormulaSyntaxException(new FormulaError(Current.Position, 1, "A ')' without its '('."))
                    : Unexpected("An operator (+ - * /) or the end of the formula.");
            }

            return tree;
        }

        private FormulaNode Expression()
        {
            Enter();
            var left = Term();
            while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
            {
                var op = tokens[_next++].Kind == TokenKind.Plus ? FormulaOperator.Add : FormulaOperator.Subtract;
                left = new FormulaBinary(op, left, Term());
            }

            _depth--;
            return left;
        }

        private FormulaNode Term()
        {
            var left = Unary();
            while (Current.Kind is TokenKind.Star or TokenKind.Slash)
            {
                var op = tokens[_next++].Kind == TokenKind.Star ? FormulaOperator.Multiply : FormulaOperator.Divide;
                left = new FormulaBinary(op, left, Unary());
            }

            return left;
        }

        private FormulaNode Unary()
        {
            if (Current.Kind != TokenKind.Minus)
            {
                return Atom();
            }

            _next++;
            Enter();
            var operand = Unary();
            _depth--;
            return new FormulaNegate(operand);
        }

        private FormulaNode Atom()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    _next++;
                    if (!decimal.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                    {
                        throw new FormulaSyntaxException(new FormulaError(token.Position, token.Text.Length, $"{token.Text} is too large a number."));
                    }

                    return new FormulaNumber(value);
                case TokenKind.Name when tokens[_next + 1].Kind == TokenKind.Open:
                    return Call();
                case TokenKind.Name:
                    _next++;
                    if (!names.Contains(token.Text))
                    {
                        Errors.Add(new FormulaError(token.Position, token.Text.Length, Functions.ContainsKey(token.Text)
                            ? $"{token.Text} is a function: write {token.Text}(...)."
                            : $"Unknown figure '{token.Text}'. Known: {string.Join(", ", names.Order(StringComparer.Ordinal))}."));
                    }

                    return new FormulaName(token.Text);
                case TokenKind.Open:
                    _next++;
                    var inner = Expression();
                    Expect(TokenKind.Close, "A ')' to close the '(' at position " + (token.Position + 1).ToString(CultureInfo.InvariantCulture) + ".");
                    return inner;
                default:
                    throw Unexpected("A number, a figure name, a function or '('.");
            }
        }

        private FormulaCall Call()
        {
            var name = tokens[_next];
            _next += 2;
            Enter();
            var arguments = new List<FormulaNode> { Expression() };
            while (Current.Kind == TokenKind.Comma)
            {
                _next++;
                arguments.Add(Expression());
            }

            Expect(TokenKind.Close, $"A ',' or the ')' that closes {name.Text}(.");
            _depth--;
            if (!Functions.TryGetValue(name.Text, out var arity))
            {
                Errors.Add(new FormulaError(name.Position, name.Text.Length,
                    $"Unknown function '{name.Text}'. Known: {string.Join(", ", Functions.Keys.Order(StringComparer.Ordinal))}."));
            }
            else if (arguments.Count < arity.Min || arguments.Count > arity.Max)
            {
                var wants = arity.Max is null ? $"at least {arity.Min}" : arity.Min == arity.Max ? $"{arity.Min}" : $"{arity.Min} to {arity.Max}";
                Errors.Add(new FormulaError(name.Position, name.Text.Length,
                    $"{name.Text} takes {wants} argument{(arity.Min == 1 && arity.Max == 1 ? string.Empty : "s")}, not {arguments.Count}."));
            }

            return new FormulaCall(name.Text, arguments);
        }

        private void Enter()
        {
            if (++_depth > MaxDepth)
            {
                throw new FormulaSyntaxException(new FormulaError(Current.Position, Math.Max(1, Current.Text.Length),
                    $"The formula nests more than {MaxDepth} levels deep."));
            }
        }

        private void Expect(TokenKind kind, string wanted)
        {
            if (Current.Kind != kind)
            {
                throw Unexpected(wanted);
            }

            _next++;
        }

        private FormulaSyntaxException Unexpected(string wanted)
        {
            var token = Current;
            var found = token.Kind == TokenKind.End ? "the formula ends" : $"found '{token.Text}'";
            var what = wanted.TrimEnd('.');
            return new FormulaSyntaxException(new FormulaError(token.Position, token.Text.Length, $"Expected {char.ToLowerInvariant(what[0])}{what[1..]}, but {found}."));
        }
    }
}

/// <summary>
/// Evaluates a parsed formula over figures by walking the tree. A figure with no value, a division by zero, or
/// an overflow gives "no value" (null) rather than infinity or an exception; null spreads through arithmetic.
/// </summary>
public static class FormulaEvaluator
{
    public static decimal? Evaluate(FormulaNode node, Func<string, decimal?> figure)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(figure);
        try
        {
            return Walk(node, figure);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal? Walk(FormulaNode node, Func<string, decimal?> figure) => node switch
    {
        FormulaNumber number => number.Value,
        FormulaName name => figure(name.Name),
        FormulaNegate negate => -Walk(negate.Operand, figure),
        FormulaBinary binary => Apply(binary.Operator, Walk(binary.Left, figure), Walk(binary.Right, figure)),
        FormulaCall call => Call(call, figure),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node, "Unknown formula node."),
    };

    private static decimal? Apply(FormulaOperator op, decimal? left, decimal? right)
    {
        if (left is not { } l || right is not { } r)
        {
            return null;
        }

        return op switch
        {
            FormulaOperator.Add => l + r,
            FormulaOperator.Subtract => l - r,
            FormulaOperator.Multiply => l * r,
            _ => r == 0m ? null : l / r,
        };
    }

    private static decimal? Call(FormulaCall call, Func<string, decimal?> figure)
    {
        switch (call.Function)
        {
            case "if_zero":
                var first = Walk(call.Arguments[0], figure);
                return first is null or 0m ? Walk(call.Arguments[1], figure) : first;
            case "abs":
                return Walk(call.Arguments[0], figure) is { } v ? Math.Abs(v) : null;
            case "min" or "max":
                var values = call.Arguments.Select(a => Walk(a, figure)).ToList();
                if (values.Any(v => v is null))
                {
                    return null;
                }

                return call.Function == "min" ? values.Min() : values.Max();
            default:
                throw new ArgumentOutOfRangeException(nameof(call), call.Function, "Unknown function.");
        }
    }
}
