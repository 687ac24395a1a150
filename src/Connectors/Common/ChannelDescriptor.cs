using System.Globalization;
using System.Reflection;
using System.Text.Json;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Common;

/// <summary>Whether a channel pushes (webhooks) or is read on a schedule.</summary>
public enum ChannelKind
{
    Webhook,
    Poller,
}

/// <summary>What is wrong with one field of a connection, under its form name ("settings.region", "credentials.clientId").</summary>
public sealed record FieldProblem(string Field, string Problem);

/// <summary>
/// One value a connection asks for, read from a module's settings or credentials record: its form name (the record
/// parameter in camelCase, which is also the key the connection store keeps), whether it must be given, whether it is a
/// secret (only ever named, never shown), and its type, which decides what text it accepts.
/// </summary>
public sealed record ConnectionField(string Name, Type ValueType, bool Required, bool Secret)
{
    /// <summary>The text as this field's type, or why it is not one.</summary>
    public bool TryParse(string text, out object? value, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        value = null;
        if (ValueType == typeof(string))
        {
            value = text;
        }
        else if (ValueType == typeof(DateTimeOffset))
        {
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                value = at.ToUniversalTime();
            }
            else
            {
                problem = $"'{text}' is not a date: use yyyy-MM-dd or an ISO 8601 time.";
            }
        }
        else if (ValueType.IsEnum)
        {
            // Enum.TryParse also takes "1" and "eu, fe"; a form value is exactly one of the names.
            var names = Enum.GetNames(ValueType);
            if (names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name)
            {
                value = Enum.Parse(ValueType, name);
            }
            else
            {
                problem = $"'{text}' is not one of {string.Join(", ", names.Select(ConnectionForm.FormText))}.";
            }
        }
        else if (ValueType == typeof(IReadOnlyList<string>))
        {
            IReadOnlyList<string> items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            value = items.Count > 0 ? items : null;
            problem = items.Count > 0 ? null : "A comma-separated list with at least one item.";
        }
        else
        {
            throw new NotSupportedException($"A connection field of type {ValueType} has no text form.");
        }

        return problem is null;
    }
}

/// <summary>
/// Reads and writes a module's settings or credentials record as the string map the connection store keeps, so the
/// record is the one place a field's name, need and type are stated. Supported parameter types: string, DateTimeOffset,
/// enums (written in lower case) and IReadOnlyList&lt;string&gt; (comma-separated); nullable means optional.
/// </summary>
public static class ConnectionForm
{
    /// <summary>The fields of <typeparamref name="T"/>, in the order of its constructor.</summary>
    public static IReadOnlyList<ConnectionField> FieldsOf<T>(bool secret) => FieldsOf(typeof(T), secret);

    public static IReadOnlyList<ConnectionField> FieldsOf(Type record, bool secret)
    {
        ArgumentNullException.ThrowIfNull(record);
        return [.. Constructor(record).GetParameters().Select(p => Field(p, secret))];
    }

    /// <summary>The form name of a record parameter: <c>nameof(AmazonConnectionSettings.MarketplaceIds)</c> → "marketplaceIds".</summary>
    public static string Name(string parameter) => JsonNamingPolicy.CamelCase.ConvertName(parameter);

    /// <summary>An enum value's form text: lower case ("eu", "sandbox").</summary>
    public static string FormText(string enumName)
    {
        ArgumentNullException.ThrowIfNull(enumName);
        return enumName.ToLowerInvariant();
    }

    /// <summary>The record read from stored values; a missing required value or a mistyped one throws, naming the field.</summary>
    /// <exception cref="InvalidOperationException">A value is missing or not of its field's type.</exception>
    public static T Read<T>(IReadOnlyDictionary<string, string> values) => (T)Read(typeof(T), values);

    /// <inheritdoc cref="Read{T}"/>
    public static object Read(Type record, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(values);
        var constructor = Constructor(record);
        var arguments = new List<object?>();
        foreach (var parameter in constructor.GetParameters())
        {
            var field = Field(parameter, secret: false);
            if (!values.TryGetValue(field.Name, out var text) || string.IsNullOrWhiteSpace(text))
            {
                arguments.Add(field.Required ? throw new InvalidOperationException($"The connection has no '{field.Name}'.") : null);
                continue;
            }

            arguments.Add(field.TryParse(text.Trim(), out var value, out var problem)
                ? value
                : throw new InvalidOperationException($"The connection's '{field.Name}': {problem}"));
        }

        return constructor.Invoke([.. arguments]);
    }

    /// <summary>The record as the store keeps it: one entry per value that is set, under the field's form name.</summary>
    public static Dictionary<string, string> Write(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var type = record.GetType();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in Constructor(type).GetParameters())
        {
            var value = type.GetProperty(parameter.Name!)!.GetValue(record);
            if (Text(value) is { } text)
            {
                values[Name(parameter.Name!)] = text;
            }
        }

        return values;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
        Enum e => FormText(e.ToString()),
        IEnumerable<string> items => string.Join(',', items),
        _ => throw new NotSupportedException($"A connection value of type {value.GetType()} has no text form."),
    };

    private static ConnectionField Field(ParameterInfo parameter, bool secret)
    {
        var type = Nullable.GetUnderlyingType(parameter.ParameterType);
        // NullabilityInfoContext is not thread-safe, so each read has its own.
        var required = type is null && (parameter.ParameterType.IsValueType || new NullabilityInfoContext().Create(parameter).WriteState == NullabilityState.NotNull);
        return new ConnectionField(Name(parameter.Name!), type ?? parameter.ParameterType, required, secret);
    }

    private static ConstructorInfo Constructor(Type record) =>
        record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
        ?? throw new InvalidOperationException($"{record} has no public constructor.");
}

/// <summary>
/// What connecting a channel takes, declared by its module (Connectors/&lt;Channel&gt;/) from a settings record and a
/// credentials record; the API validates a connect request against it, and the settings form is drawn from it.
/// </summary>
/// <param name="WebhookPath">Where the channel must post, with {tenantId}/{storeId} to fill in; null for pollers.</param>
public sealed record ChannelDescriptor(
    SalesChannel Channel, ChannelKind Kind, IReadOnlyList<ConnectionField> Settings, IReadOnlyList<ConnectionField> Credentials, string? WebhookPath,
    string Description)
{
    /// <summary>The settings that say which account (or property) is connected: changing one starts its history over.</summary>
    public IReadOnlyList<string> AccountSettings { get; init; } = [];

    /// <summary>The cursor streams its poller keeps, deleted when the connection goes or its account changes.</summary>
    public IReadOnlyList<string> CursorStreams { get; init; } = [];

    /// <summary>Checks across fields or beyond a field's type (a pair that goes together, a host the server may call).</summary>
    public Func<ConnectionValues, IEnumerable<FieldProblem>>? Rules { get; init; }

    public IReadOnlyList<string> RequiredSettings => [.. Settings.Where(f => f.Required).Select(f => f.Name)];

    public IReadOnlyList<string> OptionalSettings => [.. Settings.Where(f => !f.Required).Select(f => f.Name)];

    public IReadOnlyList<string> RequiredCredentials => [.. Credentials.Where(f => f.Required).Select(f => f.Name)];

    /// <summary>Secrets the channel can use but does not need (PayPal's REST app, for online verification).</summary>
    public IReadOnlyList<string> OptionalCredentials => [.. Credentials.Where(f => !f.Required).Select(f => f.Name)];

    /// <summary>A descriptor whose fields are the parameters of <typeparamref name="TSettings"/> and <typeparamref name="TCredentials"/>.</summary>
    public static ChannelDescriptor Of<TSettings, TCredentials>(SalesChannel channel, ChannelKind kind, string? webhookPath, string description) =>
        new(channel, kind, ConnectionForm.FieldsOf<TSettings>(secret: false), ConnectionForm.FieldsOf<TCredentials>(secret: true), webhookPath, description)
        {
            SettingsRecord = typeof(TSettings),
            CredentialsRecord = typeof(TCredentials),
        };

    /// <summary>
    /// A polled channel's descriptor: its records, the poller's cursor stream, and the settings (property names of
    /// <typeparamref name="TSettings"/>) that say which account a connection reads.
    /// </summary>
    public static ChannelDescriptor Poller<TSettings, TCredentials>(SalesChannel channel, string description, string cursorStream,
        params string[] accountSettings) =>
        Of<TSettings, TCredentials>(channel, ChannelKind.Poller, null, description) with
        {
            AccountSettings = [.. accountSettings.Select(ConnectionForm.Name)],
            CursorStreams = [cursorStream],
        };

    /// <summary>The module's settings record, which <see cref="ConnectionForm"/> reads stored settings into.</summary>
    public Type SettingsRecord { get; init; } = typeof(NoConnectionSettings);

    /// <summary>The module's credentials record.</summary>
    public Type CredentialsRecord { get; init; } = typeof(NoConnectionSettings);

    /// <summary>
    /// Every problem of a connection as it would be saved: unknown, missing or mistyped fields, then the module's rules;
    /// keyed "settings.{name}" / "credentials.{name}" so the form shows each beside its field.
    /// </summary>
    public IReadOnlyList<FieldProblem> Validate(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var problems = new List<FieldProblem>();
        Check("settings", Settings, values.Settings, "setting", problems);
        Check("credentials", Credentials, values.Credentials, "credential", problems);
        if (problems.Count == 0 && Rules is not null)
        {
            problems.AddRange(Rules(values));
        }

        return problems;
    }

    /// <summary>Where this store's deliveries must be posted; null for pollers.</summary>
    public string? WebhookPathFor(string tenantId, string storeId) =>
        WebhookPath?.Replace("{tenantId}", tenantId, StringComparison.Ordinal).Replace("{storeId}", storeId, StringComparison.Ordinal);

    /// <summary>The values of <see cref="AccountSettings"/>: two connections with the same key read the same account.</summary>
    public string AccountKey(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return string.Join('|', AccountSettings.Select(k => values.Setting(k) ?? string.Empty));
    }

    private void Check(string group, IReadOnlyList<ConnectionField> fields, IReadOnlyDictionary<string, string> values, string noun, List<FieldProblem> problems)
    {
        var known = fields.Select(f => f.Name).ToList();
        foreach (var key in values.Keys.Where(k => !known.Contains(k)))
        {
            problems.Add(new($"{group}.{key}", $"{Channel} has no {noun} '{key}' (known: {string.Join(", ", known)})."));
        }

        foreach (var field in fields)
        {
            if (!values.TryGetValue(field.Name, out var text) || string.IsNullOrWhiteSpace(text))
            {
                if (field.Required)
                {
                    problems.Add(new($"{group}.{field.Name}", "Required."));
                }
            }
            else if (!field.TryParse(text.Trim(), out _, out var problem))
            {
                problems.Add(new($"{group}.{field.Name}", problem!));
            }
        }
    }
}

/// <summary>The settings of a channel that needs none (its webhooks carry everything).</summary>
public sealed record NoConnectionSettings;

/// <summary>The credentials of a channel whose webhooks are signed with one shared secret (HMAC).</summary>
public sealed record WebhookSecretCredentials(string WebhookSecret);
