using System.Globalization;
using System.Text.Json;
using SalesDash.Connectors.Polling;

namespace SalesDash.Connectors.GoogleAnalytics;

/// <summary>
/// Reading the Data API's report responses (runReport and runRealtimeReport answer in the same shape: headers, then rows
/// of string cells), shared by the hourly poller and the realtime reader so both find columns by header name.
/// </summary>
internal static class Ga4Json
{
    public static List<string> Headers(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var headers) || headers.ValueKind != JsonValueKind.Array)
        {
            throw new ChannelResponseException($"runReport answered without {name}");
        }

        return headers.EnumerateArray().Select(h => h.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty).ToList();
    }

    /// <summary>The position of a named column; a report without it is an error that names what it did have.</summary>
    public static int Column(List<string> headers, string name, string kind) => headers.IndexOf(name) is >= 0 and var i
        ? i
        : throw new ChannelResponseException($"The report answered without the {kind} '{name}' (got: {string.Join(", ", headers)})");

    /// <summary>The response's rows, or none when GA4 left the field out (it does when there is no data).</summary>
    public static IEnumerable<JsonElement> Rows(JsonElement root) =>
        !root.TryGetProperty("rows", out var list) ? []
        : list.ValueKind == JsonValueKind.Array ? list.EnumerateArray()
        : throw new ChannelResponseException("The report's rows is not an array");

    public static List<JsonElement> Values(JsonElement row, string name, string path) =>
        row.TryGetProperty(name, out var values) && values.ValueKind == JsonValueKind.Array
            ? values.EnumerateArray().ToList()
            : throw new ChannelResponseException($"{path}.{name}: missing");

    public static string Cell(List<JsonElement> cells, int index, string path) =>
        index < cells.Count && cells[index].TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new ChannelResponseException($"{path}[{index}].value: missing");

    /// <summary>GA4 sends metric values as strings; conversions can be fractional ("2.0"), sessions never are.</summary>
    public static long Count(string text, string path) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? (long)Math.Floor(value)
            : throw new ChannelResponseException($"{path}: metric value '{text}' is not a count");

    public static HttpRequestMessage Authorized(HttpRequestMessage request, string? token)
    {
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}

/// <summary>A report response whose columns are found by header name; <see cref="Rows{TRow}"/> reads each row's cells.</summary>
internal sealed class Ga4Report(JsonElement root)
{
    private readonly List<string> _dimensions = Ga4Json.Headers(root, "dimensionHeaders");
    private readonly List<string> _metrics = Ga4Json.Headers(root, "metricHeaders");

    public int Dimension(string name) => Ga4Json.Column(_dimensions, name, "dimension");

    public int Metric(string name) => Ga4Json.Column(_metrics, name, "metric");

    public List<TRow> Rows<TRow>(Func<Ga4Cells, TRow> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var rows = new List<TRow>();
        var i = 0;
        foreach (var row in Ga4Json.Rows(root))
        {
            rows.Add(read(new Ga4Cells(row, $"rows[{i++}]")));
        }

        return rows;
    }

    /// <summary>All rows the report has over all pages; the rows read when GA4 did not say.</summary>
    public int RowCount(int read) => root.TryGetProperty("rowCount", out var count) && count.ValueKind == JsonValueKind.Number ? count.GetInt32() : read;
}

/// <summary>One row of a <see cref="Ga4Report"/>; every error names the row and cell.</summary>
internal sealed class Ga4Cells(JsonElement row, string path)
{
    private readonly List<JsonElement> _dimensions = Ga4Json.Values(row, "dimensionValues", path);
    private readonly List<JsonElement> _metrics = Ga4Json.Values(row, "metricValues", path);

    public string Path => path;

    public string Dimension(int index) => Ga4Json.Cell(_dimensions, index, $"{path}.dimensionValues");

    public string Metric(int index) => Ga4Json.Cell(_metrics, index, $"{path}.metricValues");

    public long Count(int index) => Ga4Json.Count(Metric(index), path);
}

