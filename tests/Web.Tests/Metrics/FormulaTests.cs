using SalesDash.Engine.Metrics;
using FsCheck;
using FsCheck.Fluent;
using SalesDash.Web.Metrics;

namespace SalesDash.Web.Tests.Metrics;

/// <summary>The custom-metric formula language: what it accepts, what it refuses and where, and how it evaluates.</summary>
public sealed class FormulaTests
{
    private static readonly IReadOnlySet<string> Names = MetricFigures.Names;

    private static readonly Dictionary<string, decimal?> Figures = new(StringComparer.Ordinal)
    {
        ["revenue"] = 1200m, ["net_revenue"] = 1000m, ["ad_spend"] = 250m, ["sessions"] = 400m, ["orders"] = 20m, ["aov"] = null, ["refunds"] = 0m,
    };

    private static decimal? Eval(string formula)
    {
        var parse = FormulaLanguage.Parse(formula, Names);
        Assert.True(parse.IsValid, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return FormulaEvaluator.Evaluate(parse.Tree!, n => Figures.GetValueOrDefault(n));
    }

    [Theory]
    [InlineData("net_revenue - ad_spend", 750)]
    [InlineData("revenue / sessions", 3)]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("10 - 4 - 3", 3)]
    [InlineData("12 / 3 / 2", 2)]
    [InlineData("-orders + 30", 10)]
    [InlineData("- -5", 5)]
    [InlineData("2 * -3", -6)]
    [InlineData("max(orders, 5, 42.5)", 42.5)]
    [InlineData("min(orders, 5)", 5)]
    [InlineData("abs(ad_spend - net_revenue)", 750)]
    [InlineData("if_zero(refunds, -1)", -1)]
    [InlineData("if_zero(aov, 7)", 7)]
    [InlineData(".5 * 4", 2)]
    public void Formula_evaluates_as_arithmetic_does(string formula, double expected) =>
        Assert.Equal((decimal)expected, Eval(formula));

    [Theory]
    [InlineData("revenue / refunds")]
    [InlineData("revenue / (orders - 20)")]
    [InlineData("aov * 2")]
    [InlineData("max(aov, 1)")]
    public void Division_by_zero_and_figures_without_value_give_no_value(string formula) => Assert.Null(Eval(formula));

    [Fact]
    public void Overflow_gives_no_value_not_an_exception() =>
        Assert.Null(Eval("79228162514264337593543950335 * 10"));

    [Theory]
    [InlineData("revenue - adspend", 10, 7, "Unknown figure 'adspend'.")]
    [InlineData("revenue +", 9, 0, "Expected a number, a figure name, a function or '(', but the formula ends.")]
    [InlineData("(revenue - refunds", 18, 0, "Expected a ')' to close the '(' at position 1, but the formula ends.")]
    [InlineData("revenue) ", 7, 1, "A ')' without its '('.")]
    [InlineData("revenue ^ 2", 8, 1, "'^' is not allowed in a formula")]
    [InlineData("sqrt(revenue)", 0, 4, "Unknown function 'sqrt'.")]
    [InlineData("abs(revenue, orders)", 0, 3, "abs takes 1 argument, not 2.")]
    [InlineData("if_zero(revenue)", 0, 7, "if_zero takes 2 arguments, not 1.")]
    [InlineData("max(revenue)", 0, 3, "max takes at least 2 arguments, not 1.")]
    [InlineData("revenue orders", 8, 6, "Expected an operator (+ - * /) or the end of the formula, but found 'orders'.")]
    [InlineData("12abc", 0, 3, "'12a' is not a number.")]
    [InlineData("", 0, 0, "A formula is required")]
    [InlineData("abs", 0, 3, "abs is a function: write abs(...).")]
    public void Bad_formula_is_refused_with_the_position_of_the_mistake(string formula, int position, int length, string message)
    {
        var parse = FormulaLanguage.Parse(formula, Names);

        Assert.False(parse.IsValid);
        var error = parse.Errors[0];
        Assert.Equal((position, length), (error.Position, error.Length));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_unknown_name_is_reported_not_just_the_first()
    {
        var parse = FormulaLanguage.Parse("foo + bar * revenue", Names);

        Assert.Equal([0, 6], parse.Errors.Select(e => e.Position));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_and_formulas_longer_than_the_limit_are_refused()
    {
        var deep = new string('(', FormulaLanguage.MaxDepth + 1) + "1" + new string(')', FormulaLanguage.MaxDepth + 1);
        var negations = new string('-', FormulaLanguage.MaxDepth + 1) + "1";
        var longOne = string.Join(" + ", Enumerable.Repeat("revenue", 70));

        Assert.Equal($"The formula nests more than {FormulaLanguage.MaxDepth} levels deep.", FormulaLanguage.Parse(deep, Names).Errors.Single().Message);
        Assert.Equal($"The formula nests more than {FormulaLanguage.MaxDepth} levels deep.", FormulaLanguage.Parse(negations, Names).Errors.Single().Message);
        Assert.Equal($"A formula is at most {FormulaLanguage.MaxLength} characters.", FormulaLanguage.Parse(longOne, Names).Errors.Single().Message);
        Assert.True(FormulaLanguage.Parse(new string('(', FormulaLanguage.MaxDepth - 1) + "1" + new string(')', FormulaLanguage.MaxDepth - 1), Names).IsValid);
    }

    [Fact]
    public void Printing_keeps_only_the_parentheses_the_meaning_needs() =>
        Assert.Equal("(revenue - refunds) / orders - (1 - 2) + -(3 * 4)", FormulaLanguage.Print(FormulaLanguage.Parse("((revenue - refunds) / (orders)) - (1 - 2) + -(3*4)", Names).Tree!));

    // ---- Properties (FsCheck) ----

    private static readonly string[] FigureNames = [.. MetricFigures.Names.Order(StringComparer.Ordinal)];

    /// <summary>A formula tree the parser can produce, with the value the language's rules give it over <see cref="Values"/>.</summary>
    private static Gen<(FormulaNode Node, decimal? Value)> Tree(int size)
    {
        var number = Gen.Choose(0, 10_000).Select(i => ((FormulaNode)new FormulaNumber(i / 100m), (decimal?)(i / 100m)));
        var name = Gen.Elements(FigureNames).Select(n => ((FormulaNode)new FormulaName(n), Values(n)));
        if (size <= 0)
        {
            return Gen.OneOf(number, name);
        }

        var smaller = Tree(size / 2);
        var negate = smaller.Select(t => ((FormulaNode)new FormulaNegate(t.Node), -t.Value));
        var binary =
            from op in Gen.Elements(Enum.GetValues<FormulaOperator>())
            from left in smaller
            from right in smaller
            select ((FormulaNode)new FormulaBinary(op, left.Node, right.Node), Reference(op, left.Value, right.Value));
        var call =
            from function in Gen.Elements("min", "max", "abs", "if_zero")
            from count in function switch { "abs" => Gen.Constant(1), "if_zero" => Gen.Constant(2), _ => Gen.Choose(2, 4) }
            from arguments in Gen.ArrayOf(smaller, count)
            select ((FormulaNode)new FormulaCall(function, [.. arguments.Select(a => a.Node)]), Reference(function, [.. arguments.Select(a => a.Value)]));
        return Gen.Frequency((2, number), (2, name), (1, negate), (4, binary), (1, call));
    }

    /// <summary>Figures for the properties: some zero (to divide by), one without a value.</summary>
    private static decimal? Values(string name) => name switch
    {
        "aov" => null,
        "refunds" or "cancelled_orders" => 0m,
        _ => name.Length * 7.5m,
    };

    private static decimal? Reference(FormulaOperator op, decimal? left, decimal? right)
    {
        if (left is null || right is null)
        {
            return null;
        }

        try
        {
            return op switch
            {
                FormulaOperator.Add => left + right,
                FormulaOperator.Subtract => left - right,
                FormulaOperator.Multiply => left * right,
                _ => right == 0m ? null : left / right,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal? Reference(string function, decimal?[] arguments) => function switch
    {
        "abs" => arguments[0] is { } a ? Math.Abs(a) : null,
        "if_zero" => arguments[0] is null or 0m ? arguments[1] : arguments[0],
        "min" => arguments.Any(a => a is null) ? null : arguments.Min(),
        _ => arguments.Any(a => a is null) ? null : arguments.Max(),
    };

    private static Arbitrary<(FormulaNode Node, decimal? Value)> Trees => Arb.From(Gen.Sized(s => Tree(Math.Min(s, 12))));

    [Fact]
    public void Parsing_a_printed_formula_gives_back_the_same_tree() =>
        Prop.ForAll(Trees, t =>
        {
            var text = FormulaLanguage.Print(t.Node);
            var parse = FormulaLanguage.Parse(text, Names);
            return parse.IsValid && parse.Tree!.Equals(t.Node);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Evaluating_the_printed_formula_gives_the_value_the_rules_give() =>
        Prop.ForAll(Trees, t =>
        {
            var parse = FormulaLanguage.Parse(FormulaLanguage.Print(t.Node), Names);
            return FormulaEvaluator.Evaluate(parse.Tree!, Values) == t.Value;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Any_text_is_answered_with_a_tree_or_positioned_errors_never_an_exception() =>
        Prop.ForAll(
            Arb.From(Gen.ArrayOf(Gen.Elements("revenue", "orders", "abs", "max", "(", ")", ",", "+", "-", "*", "/", "1", "2.5", " ", "^", "x", ".")).Select(parts => string.Concat(parts))),
            text =>
            {
                var parse = FormulaLanguage.Parse(text, Names);
                return parse.IsValid
                    || (parse.Errors.Count > 0 && parse.Errors.All(e => e.Position >= 0 && e.Position + e.Length <= Math.Max(text.Length, 1) && e.Message.Length > 0));
            }).QuickCheckThrowOnFailure();
}
