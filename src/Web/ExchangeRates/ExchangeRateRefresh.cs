using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Currency;
using SalesDash.Engine.Clustering;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.ExchangeRates;

/// <summary>Where the rates table is refreshed from, bound from the "ExchangeRates" section.</summary>
public sealed class ExchangeRateRefreshOptions
{
    public const string Section = "ExchangeRates";

    /// <summary>
    /// An ECB reference-rates XML document (e.g. https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml).
    /// Unset: no refresh, rates come only from Channels:ExchangeRates.
    /// </summary>
    public Uri? ProviderUrl { get; set; }

    /// <summary>How often the provider is read; the ECB publishes once a working day around 16:00 CET, so hourly is ample.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Shown beside every figure converted with these rates.</summary>
    public string Source { get; set; } = "ECB reference rate";
}

/// <summary>How the refreshes from the configured provider have gone, as the API shows it.</summary>
/// <param name="RatesDate">The newest rate date the last good refresh brought.</param>
/// <param name="LastError">Why the last attempt failed (the rates of the last good refresh stay in use); null after a success.</param>
public sealed record ExchangeRateRefreshStatus(
    Uri Provider, DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, DateOnly? RatesDate, int RateCount, string? LastError);

/// <summary>
/// Refreshes the rates table from the configured provider. A cluster job, so one node reads the provider, not each;
/// a failed read or a damaged answer writes no rate, so the last good rates stay in use, and the failure is recorded
/// beside the time of the last success.
/// </summary>
public sealed partial class ExchangeRateRefreshJob(
    IHttpClientFactory http, IExchangeRates rates, IDbContextFactory<AppIdentityDbContext> databases,
    IOptions<ExchangeRateRefreshOptions> options, TimeProvider time, ILogger<ExchangeRateRefreshJob> log) : IClusterJob
{
    /// <summary>The named HttpClient the provider is read with, under the outbound policy.</summary>
    public const string HttpClientName = "SalesDash.ExchangeRates";

    public string Name => "exchange-rates";

    public TimeSpan Interval => options.Value.Interval;

    /// <summary>Whether a provider is configured (otherwise rates come only from configuration).</summary>
    public bool IsConfigured => options.Value.ProviderUrl is not null;

    public async Task RunAsync(CancellationToken cancellationToken) => await RefreshAsync(cancellationToken);

    /// <summary>One refresh; returns how it went (a failure is recorded and logged, not thrown).</summary>
    public async Task<ExchangeRateRefreshStatus> RefreshAsync(CancellationToken cancellationToken)
    {
        var provider = options.Value.ProviderUrl ?? throw new InvalidOperationException("ExchangeRates:ProviderUrl is not set.");
        var attemptedAt = time.GetUtcNow();
        IReadOnlyList<ExchangeRate> fresh;
        try
        {
            using var response = await http.CreateClient(HttpClientName).GetAsync(provider, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{provider.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }

            fresh = EcbReferenceRates.Parse(await response.Content.ReadAsStringAsync(cancellationToken), options.Value.Source);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(log, provider, e);
            return await RecordAsync(provider, row =>
            {
                row.LastAttemptAt = StoredTime.From(attemptedAt);
                row.LastError = e.Message;
            }, cancellationToken);
        }

        // Written only once the whole answer has been read: a refused document changes no rate.
        foreach (var rate in fresh)
        {
            await rates.UpsertAsync(rate, cancellationToken);
        }

        LogRefreshed(log, fresh.Count, provider);
        return await RecordAsync(provider, row =>
        {
            row.LastAttemptAt = StoredTime.From(attemptedAt);
            row.LastSuccessAt = StoredTime.From(attemptedAt);
            row.RatesDate = fresh.Max(r => r.Date);
            row.RateCount = fresh.Count;
            row.LastError = null;
        }, cancellationToken);
    }

    /// <summary>The record of the configured provider; null when no provider is configured or it was never tried.</summary>
    public async Task<ExchangeRateRefreshStatus?> StatusAsync(CancellationToken cancellationToken)
    {
        if (options.Value.ProviderUrl is not { } provider)
        {
            return null;
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ExchangeRateRefreshRow>().AsNoTracking().SingleOrDefaultAsync(r => r.Provider == provider.ToString(), cancellationToken);
        return row is null ? null : ToStatus(row);
    }

    private async Task<ExchangeRateRefreshStatus> RecordAsync(Uri provider, Action<ExchangeRateRefreshRow> update, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var key = provider.ToString();
        var row = await db.Set<ExchangeRateRefreshRow>().SingleOrDefaultAsync(r => r.Provider == key, cancellationToken);
        if (row is null)
        {
            row = new ExchangeRateRefreshRow { Provider = key };
            db.Add(row);
        }

        update(row);
        await db.SaveChangesAsync(cancellationToken);
        return ToStatus(row);
    }

    private static ExchangeRateRefreshStatus ToStatus(ExchangeRateRefreshRow row) =>
        new(new Uri(row.Provider), StoredTime.To(row.LastAttemptAt), StoredTime.To(row.LastSuccessAt), row.RatesDate, row.RateCount, row.LastError);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exchange rates could not be refreshed from {Provider}; the last good rates stay in use")]
    private static partial void LogFailed(ILogger logger, Uri provider, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} exchange rate(s) refreshed from {Provider}")]
    private static partial void LogRefreshed(ILogger logger, int count, Uri provider);
}
