using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Ingestion;

namespace SalesDash.Engine.Tests.Ingestion;

/// <summary>
/// The door converts every event of a multi-currency store; it reads the rates table once per pair and day while the
/// rate is fresh, never remembers a rate it did not find, and reads again after <see cref="RecentExchangeRates.TimeToLive"/>.
/// </summary>
public sealed class RecentExchangeRatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_order_of_a_store_with_a_reporting_currency_is_converted_with_one_read_of_the_rates()
    {
        var rates = new CountingRates();
        rates.Add(new ExchangeRate("GBP", "EUR", Today.AddDays(-1), 1.15m, "ECB reference rate"));
        var ingested = new ConcurrentQueue<CommerceEvent>();
        var time = new FakeTimeProvider(Now);
        // Composed as the host composes it (Channels hosting registers the rates table behind RecentExchangeRates).
        var pipeline = new IngestionPipeline(new RecordingIngest(ingested), new RecentExchangeRates(rates, time), new Reporting("EUR"), time);
        var store = new StoreProfile(TestEvents.Store, "EU shop", SalesChannel.Shopify, "eu.myshopify.com", "GBP", "Europe/London", "secret");

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(1, await pipeline.IngestAsync(store, [TestEvents.Placed($"o{i}", Now.AddMinutes(-i % 30), 20m + i)], Ct));
        }

        // Each event still carries its conversion, as read from the table.
        Assert.Equal(50, ingested.Count);
        Assert.All(ingested, e => Assert.Equal(new ReportingConversion("EUR", 1.15m, Today.AddDays(-1), "ECB reference rate"), e.Reporting));
        // One read for fifty orders of the same day (the code before read the table for every one of them).
        Assert.Equal(1, rates.Reads);
    }

    [Fact]
    public async Task A_rate_is_read_again_once_its_time_is_up_so_a_newer_one_is_used()
    {
        var inner = new CountingRates();
        inner.Add(new ExchangeRate("USD", "EUR", Today.AddDays(-1), 0.90m, "yesterday"));
        var time = new FakeTimeProvider(Now);
        var rates = new RecentExchangeRates(inner, time);

        Assert.Equal(0.90m, (await rates.FindAsync("USD", "EUR", Today, Ct))!.Rate);
        // Published straight into the table (another node's refresh): not seen while the read is fresh...
        inner.Add(new ExchangeRate("USD", "EUR", Today, 0.95m, "today"));
        time.Advance(RecentExchangeRates.TimeToLive - TimeSpan.FromSeconds(1));
        Assert.Equal(0.90m, (await rates.FindAsync("usd", " eur", Today, Ct))!.Rate);
        Assert.Equal(1, inner.Reads);

        // ...and used once it is up.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0.95m, (await rates.FindAsync("USD", "EUR", Today, Ct))!.Rate);
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public async Task A_missing_rate_is_not_remembered_so_one_added_later_is_used_by_the_next_event()
    {
        var inner = new CountingRates();
        var rates = new RecentExchangeRates(inner, new FakeTimeProvider(Now));

        Assert.Null(await rates.FindAsync("JPY", "USD", Today, Ct));
        inner.Add(new ExchangeRate("JPY", "USD", Today, 0.0067m, "added by an Admin"));

        Assert.Equal(0.0067m, (await rates.FindAsync("JPY", "USD", Today, Ct))!.Rate);
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public async Task A_rate_written_through_it_is_used_at_once_both_ways()
    {
        var inner = new CountingRates();
        inner.Add(new ExchangeRate("USD", "EUR", Today, 0.90m, "old"));
        var rates = new RecentExchangeRates(inner, new FakeTimeProvider(Now));
        Assert.Equal(0.90m, (await rates.FindAsync("USD", "EUR", Today, Ct))!.Rate);
        Assert.Equal(1m / 0.90m, (await rates.FindAsync("EUR", "USD", Today, Ct))!.Rate);

        await rates.UpsertAsync(new ExchangeRate("usd", "eur", Today, 0.80m, "corrected"), Ct);

        Assert.Equal(0.80m, (await rates.FindAsync("USD", "EUR", Today, Ct))!.Rate);
        Assert.Equal(1m / 0.80m, (await rates.FindAsync("EUR", "USD", Today, Ct))!.Rate);
    }

    /// <summary>A rates table in memory that counts its reads: the latest rate on or before the day, or the inverse of the opposite pair.</summary>
    private sealed class CountingRates : IExchangeRates
    {
        private readonly ConcurrentDictionary<(string, string, DateOnly), ExchangeRate> _rows = new();
        private int _reads;

        public int Reads => _reads;

        public void Add(ExchangeRate rate) => _rows[(rate.From.ToUpperInvariant(), rate.To.ToUpperInvariant(), rate.Date)] = rate;

        public Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            from = from.Trim().ToUpperInvariant();
            to = to.Trim().ToUpperInvariant();
            var direct = Latest(from, to, date);
            if (direct is not null)
            {
                return Task.FromResult<ExchangeRate?>(direct);
            }

            var inverse = Latest(to, from, date);
            return Task.FromResult(inverse is null ? null : new ExchangeRate(from, to, inverse.Date, 1m / inverse.Rate, inverse.Source));
        }

        public Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken)
        {
            Add(rate);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ExchangeRate>>([.. _rows.Values]);

        private ExchangeRate? Latest(string from, string to, DateOnly date) =>
            _rows.Values.Where(r => r.From.Equals(from, StringComparison.OrdinalIgnoreCase) && r.To.Equals(to, StringComparison.OrdinalIgnoreCase) && r.Date <= date)
                .MaxBy(r => r.Date);
    }

    private sealed class Reporting(string currency) : IReportingCurrencySource
    {
        public string? For(string tenantId) => currency;
    }

    private sealed class RecordingIngest(ConcurrentQueue<CommerceEvent> ingested) : ICommerceEventIngest
    {
        public Task<IngestOutcome> IngestAsync(CommerceEvent commerceEvent, CancellationToken cancellationToken)
        {
            ingested.Enqueue(commerceEvent);
            return Task.FromResult(IngestOutcome.Accepted);
        }
    }
}
