using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.History;

/// <summary>
/// The shared <see cref="SalesDashHost"/> on either history store: DuckDB (the default, a file in a fresh data folder) or a
/// fresh database on the ClickHouse server ./test.sh starts (SALESDASH_CLICKHOUSE_URL; missing means the test fails),
/// with facts reaching history within a fraction of a second.
/// </summary>
/// <param name="settings">Extra configuration (e.g. Imports:*), applied after the defaults.</param>
/// <param name="services">Extra service changes, applied after the app's own.</param>
public sealed class HistoryApp(string snapshots, IReadOnlyDictionary<string, string>? settings = null, Action<IServiceCollection>? services = null)
    : SalesDashHost(new SalesDashHostOptions { History = snapshots, Settings = FastHistory(settings), Services = services })
{
    /// <summary>Facts reach the history store within 200 ms rather than the production interval; then <paramref name="settings"/>.</summary>
    public static Dictionary<string, string> FastHistory(IReadOnlyDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string> { ["Engine:SnapshotFlushInterval"] = "00:00:00.200" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>Uploads a file to the imports API and waits until the import has finished; returns its final progress.</summary>
    public async Task<ImportBody> ImportAsync(string tenantId, string storeId, byte[] file, string fileName, CancellationToken ct, string? format = null)
    {
        var client = this.CreateSignedInClient();
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(file), "file", fileName);
        if (format is not null)
        {
            form.Add(new StringContent(format), "format");
        }

        using var response = await client.PostAsync($"/api/tenants/{tenantId}/stores/{storeId}/imports", form, ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<ImportBody>(Json, ct))!;
        Assert.Equal($"/api/tenants/{tenantId}/imports/{started.Id}", response.Headers.Location?.OriginalString);

        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            var progress = (await client.GetFromJsonAsync<ImportBody>($"/api/tenants/{tenantId}/imports/{started.Id}", Json, ct))!;
            if (progress.Status is "Completed" or "Failed")
            {
                await FlushHistoryAsync();
                return progress;
            }

            Assert.True(DateTime.UtcNow < deadline, $"import still {progress.Status} at {progress.RowsDone}/{progress.TotalRows} rows");
            await Task.Delay(100, ct);

            // The frozen clock moves with the wait, so the import's rows per second and ETA are measured against it.
            Clock.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

public sealed record ImportErrorBody(int Line, string Message);

public sealed record ImportBody(
    Guid Id, string TenantId, string StoreId, string Format, string FileName, string Status, int TotalRows, int RowsDone, double? RowsPerSecond,
    double? EtaSeconds, int EventsAccepted, int EventsDuplicate, int ErrorCount, ImportErrorBody[] Errors, string? Failure);

public sealed record KpiBody(decimal? Value, decimal? Previous, decimal? Change, decimal? ChangeRatio);

public sealed record KpisBody(
    KpiBody GrossRevenue, KpiBody NetRevenue, KpiBody Orders, KpiBody AverageOrderValue, KpiBody ConversionRate, KpiBody UnitsSold,
    KpiBody Refunds, KpiBody NewCustomers, KpiBody ReturningCustomers, KpiBody Sessions, KpiBody CancelledOrders);

public sealed record PeriodBody(string Name, DateOnly From, DateOnly To, DateTimeOffset FromUtc, DateTimeOffset ToUtc);

public sealed record SummaryBody(string TenantId, string? StoreId, string Currency, string TimeZone, PeriodBody Period, PeriodBody? Comparison, KpisBody Kpis);

public sealed record PointBody(DateTime Start, DateTimeOffset StartUtc, decimal GrossRevenue, decimal NetRevenue, long Orders, long Units, decimal Refunds,
    decimal? AverageOrderValue, long Sessions, decimal? ConversionRate);

public sealed record TrendBody(string Grain, PeriodBody Period, PointBody[] Points, PointBody[]? ComparisonPoints);

public sealed record RowBody(int Rank, string Key, string Label, decimal GrossRevenue, decimal? RevenueShare, long Orders, long Units,
    decimal? AverageOrderValue, decimal Refunds, long RefundedUnits, decimal? ReturnRate, long Sessions, KpiBody Revenue);

public sealed record BreakdownBody(string By, string RankedBy, string Currency, int TotalGroups, RowBody[] Rows);
