using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Currency;

public sealed class CurrencyNormalizerTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 15, 30, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_event_already_in_its_stores_currency_with_no_reporting_currency_goes_on_as_it_is()
    {
        var placed = Order("USD", 120.50m);

        var normalized = await new CurrencyNormalizer(new Rates()).NormalizeAsync(placed, "USD", reportingCurrency: null, Ct);

        Assert.Same(placed, normalized);
    }

    [Fact]
    public async Task A_currency_written_otherwise_or_a_reporting_conversion_left_over_is_still_put_right()
    {
        var normalizer = new CurrencyNormalizer(new Rates());
        var lowerCase = Order("usd", 120.50m);
        var stale = Order("USD", 120.50m) with { Reporting = new ReportingConversion("EUR", 0.9m, DateOnly.FromDateTime(At.UtcDateTime), "test") };

        var fromLowerCase = await normalizer.NormalizeAsync(lowerCase, "usd ", reportingCurrency: null, Ct);
        var fromStale = await normalizer.NormalizeAsync(stale, "USD", reportingCurrency: " ", Ct);

        Assert.Equal(lowerCase with { Currency = "USD" }, fromLowerCase);
        Assert.Null(fromStale.Reporting);
        Assert.Equal(120.50m, ((OrderPlaced)fromStale).TotalPrice);
    }

    [Fact]
    public async Task An_event_in_another_currency_is_converted_and_a_reporting_currency_adds_its_rate()
    {
        var normalizer = new CurrencyNormalizer(new Rates());

        var converted = (OrderPlaced)await normalizer.NormalizeAsync(Order("EUR", 100m), "USD", reportingCurrency: "GBP", Ct);

        Assert.Equal("USD", converted.Currency);
        Assert.Equal(110m, converted.TotalPrice);
        Assert.Equal(new ReportingConversion("GBP", 0.8m, DateOnly.FromDateTime(At.UtcDateTime), "test"), converted.Reporting);
    }

    private static OrderPlaced Order(string currency, decimal total) => new()
    {
        Store = new StoreRef("acme", "us-shop"), Channel = SalesChannel.Shopify, EventId = "webhook-1", OccurredAt = At,
        StoreTimeZone = "America/New_York", Currency = currency, OrderId = "1001", PlacedAt = At, Version = At,
        TotalPrice = total, Lines = [new OrderLine("SKU-1", "Item", 1, total)],
    };

    /// <summary>EUR→USD 1.1 and USD→GBP 0.8 on every day; nothing else.</summary>
    private sealed class Rates : IExchangeRates
    {
        public Task<ExchangeRate?> FindAsync(string from, string to, DateOnly date, CancellationToken cancellationToken) =>
            Task.FromResult((from, to) switch
            {
                ("EUR", "USD") => new ExchangeRate(from, to, date, 1.1m, "test"),
                ("USD", "GBP") => new ExchangeRate(from, to, date, 0.8m, "test"),
                _ => null,
            });

        public Task UpsertAsync(ExchangeRate rate, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ExchangeRate>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
