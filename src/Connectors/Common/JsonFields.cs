using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace SalesDash.Connectors.Common;

/// <summary>Carries "field: problem" out of nested JSON readers; normalisers turn it into <see cref="NormalizeResult.Invalid"/>.</summary>
public sealed class FieldException(string message) : Exception(message);

/// <summary>
/// Strict readers for channel JSON. Every failure names the JSON path, so a 400 tells the sender exactly
/// which field is wrong. Money is always decimal (never double), dates always come back in UTC.
/// </summary>
internal static class JsonFields
{
    public static JsonElement Object(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new FieldException($"{path}: missing");
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw new FieldException($"{path}: expected an object but found {Describe(value)}");
    }

    public static JsonElement? OptionalObject(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw new FieldException($"{path}: expected an object but found {Describe(value)}");
    }

    public static IEnumerable<(JsonElement Item, string Path)> Array(JsonElement parent, string name, string path, bool required = false)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new FieldException($"{path}: missing") : [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FieldException($"{path}: expected an array but found {Describe(value)}");
        }

        return value.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]")).ToList();
    }

    public static string String(JsonElement parent, string name, string path) =>
        OptionalString(parent, name, path) is { Length: > 0 } text ? text : throw new FieldException($"{path}: missing");

    public static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FieldException($"{path}: expected a string but found {Describe(value)}");
    }

    /// <summary>An identifier that channels send as a number or a string; returned as its invariant text.</summary>
    public static string Id(JsonElement parent, string name, string path) =>
        OptionalId(parent, name, path) ?? throw new FieldException($"{path}: missing");

    public static string? OptionalId(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => value.GetString(),
            JsonValueKind.Number when value.TryGetInt64(out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => throw new FieldException($"{path}: expected an id but found {Describe(value)}"),
        };
    }

    public static long Long(JsonElement parent, string name, string path) =>
        OptionalLong(parent, name, path) ?? throw new FieldException($"{path}: missing");

    /// <summary>A whole number sent as a JSON number or as a string of digits (Google and Facebook send counts as strings).</summary>
    public static long? OptionalLong(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FieldException($"{path}: expected a whole number but found {Describe(value)}");
    }

    public static decimal Money(JsonElement parent, string name, string path) =>
        OptionalMoney(parent, name, path) ?? throw new FieldException($"{path}: missing");

    /// <summary>An amount sent as "12.34" or 12.34; always parsed as decimal.</summary>
    public static decimal? OptionalMoney(JsonElement parent, string name, FieldPath path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && TryParseMoney(value, out number))
        {
            return number;
        }

        throw new FieldException($"{path}: expected an amount (\"12.34\" or 12.34) but found {Describe(value)}");
    }

    private const NumberStyles MoneyStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    // Amounts come as strings ("12.34") in Shopify's and most channels' bodies: parsed from the body's own bytes, not a
    // string made of them per amount. A string with escapes in it (never sent for a number, but legal JSON) is unescaped first.
    private static bool TryParseMoney(JsonElement value, out decimal number)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' && raw.IndexOf((byte)'\\') < 0)
        {
            return decimal.TryParse(raw[1..^1], MoneyStyles, CultureInfo.InvariantCulture, out number);
        }

        return decimal.TryParse(value.GetString(), MoneyStyles, CultureInfo.InvariantCulture, out number);
    }

    public static DateTimeOffset Date(JsonElement parent, string name, string path) =>
        OptionalDate(parent, name, path) ?? throw new FieldException($"{path}: missing");

    /// <summary>ISO-8601; a timestamp without an offset is taken as UTC (WooCommerce's *_gmt fields are such).</summary>
    public static DateTimeOffset? OptionalDate(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUniversalTime();
        }

        throw new FieldException($"{path}: expected an ISO-8601 timestamp but found {Describe(value)}");
    }

    /// <summary>Unix seconds, as Stripe sends every time.</summary>
    public static DateTimeOffset UnixSeconds(JsonElement parent, string name, string path)
    {
        var seconds = Long(parent, name, path);
        return seconds is >= 0 and <= 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new FieldException($"{path}: {seconds} is not a Unix time in seconds");
    }

    public static bool OptionalBool(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var flag) => flag,
            _ => throw new FieldException($"{path}: expected true or false but found {Describe(value)}"),
        };
    }

    /// <summary>
    /// Reads a body that must be a JSON object with <paramref name="read"/> (see <see cref="Guard{T}"/>); the document
    /// lives only while <paramref name="read"/> runs.
    /// </summary>
    public static T ReadObject<T>(ReadOnlyMemory<byte> body, Func<JsonElement, T> read, Func<string, T> invalid)
    {
        ArgumentNullException.ThrowIfNull(read);
        return Guard(() =>
        {
            using var document = ParseObject(body);
            return read(document.RootElement);
        }, invalid);
    }

    /// <summary>
    /// Runs <paramref name="read"/>; a payload it cannot use is the sender's 400, not our 500, answered by
    /// <paramref name="invalid"/> with the reason: a missing or mistyped field (<see cref="FieldException"/>), a number
    /// past what decimal or int holds (price times quantity, say), or a value of the wrong JSON kind where an object was read.
    /// </summary>
    public static T Guard<T>(Func<T> read, Func<string, T> invalid)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(invalid);
        try
        {
            return read();
        }
        catch (FieldException e)
        {
            return invalid(e.Message);
        }
        catch (Exception e) when (e is OverflowException or InvalidOperationException or FormatException)
        {
            return invalid($"body: unusable value ({e.Message})");
        }
    }

    /// <summary>Parses a body that must be a JSON object; the caller disposes the document.</summary>
    public static JsonDocument ParseObject(ReadOnlyMemory<byte> body) => Parse(body, JsonValueKind.Object, "a JSON object");

    /// <summary>
    /// Parses a body that must be a JSON array (list endpoints such as WooCommerce's answer a bare list); the caller
    /// disposes the document. Its items are read with <see cref="Items"/>.
    /// </summary>
    public static JsonDocument ParseArray(ReadOnlyMemory<byte> body) => Parse(body, JsonValueKind.Array, "a JSON array");

    /// <summary>The objects of an array, each with its path (<paramref name="path"/>[i]); an item that is not an object is a <see cref="FieldException"/>.</summary>
    public static IEnumerable<(JsonElement Item, string Path)> Items(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new FieldException($"{path}: expected an array but found {Describe(array)}");
        }

        return array.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.Object
            ? (item, $"{path}[{i}]")
            : throw new FieldException($"{path}[{i}]: expected an object but found {Describe(item)}")).ToList();
    }

    private static JsonDocument Parse(ReadOnlyMemory<byte> body, JsonValueKind expected, string name)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new FieldException($"body: not valid JSON ({ex.Message})");
        }

        if (document.RootElement.ValueKind != expected)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new FieldException($"body: expected {name} but found {kind.ToString().ToLowerInvariant()}");
        }

        return document;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(value.GetString() ?? string.Empty)}\"",
        JsonValueKind.Number => $"the number {Truncate(value.GetRawText())}",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
