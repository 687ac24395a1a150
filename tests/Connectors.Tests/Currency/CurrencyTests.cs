using SalesDash.Connectors.Currency;
using SalesDash.Connectors.Tests.Support;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Tests.Currency;

public sealed class CurrencyTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("salesdash-rates-").FullName;
    private SqliteExchangeRates _rates = null!;

    public async ValueTask InitializeAsync()
    {
        _rates = new SqliteExchangeRates($"Data Source={Path.Combine(_folder, "rates.db")}");
        var ct = TestContext.Current.CancellationToken;
        await _rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 20), 0.8700m, "ECB reference rate"), ct);
        await _rates.UpsertAsync(new ExchangeRate("EUR", "GBP", new DateOnly(2026, 11, 24), 0.8800m, "ECB reference rate"), ct);
        await _rates.UpsertAsync(new ExchangeRate("GBP", "USD", new DateOnly(2026, 11, 24), 1.2500m, "ECB cross rate"), ct);
    }

    [Fact]
    public async Task Latest_rate_on_or_before_the_day_is_used_and_the_inverse_is_derived()
    {
        var ct = TestContext.Current.CancellationToken;

        var onDay = await _rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 25), ct);
        var before = await _rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 21), ct);
        var inverse = await _rates.FindAsync("USD", "GBP", new DateOnly(2026, 11, 25), ct);
        var tooEarly = await _rates.FindAsync("EUR", "GBP", new DateOnly(2026, 11, 1), ct);

        Assert.Equal(0.88m, onDay!.Rate);
        Assert.Equal(0.87m, before!.Rate);
        Assert.Equal(0.8m, inverse!.Rate);
        Assert.Null(tooEarly);
    }

    [Fact]
    public async Task Foreign_currency_order_is_converted_to_the_store_and_stamped_with_the_reporting_rate()
    {
        var normalizer = new CurrencyNormalizer(_rates);
        var order = new OrderPlaced
        {
            Store = TestStores.UkShop.Store, Channel = SalesChannel.Amazon, EventId = "e1", OccurredAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
            StoreTimeZone = "Europe/London", Currency = "EUR", OrderId = "amazon:1", PlacedAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
            Version = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), TotalPrice = 100m, Lines = [new OrderLine("sku", "Mug", 2, 50m)],
        };

        var converted = (OrderPlaced)await normalizer.NormalizeAsync(order, "GBP", "USD", TestContext.Current.CancellationToken);

        Assert.Equal("GBP", converted.Currency);
        Assert.Equal(88.00m, converted.TotalPrice);
        Assert.Equal(44.00m, converted.Lines[0].UnitPrice);
        Assert.Equal(new ReportingConversion("USD", 1.25m, new DateOnly(2026, 11, 24), "ECB cross rate"), converted.Reporting);
        Assert.Equal(110.00m, converted.Reporting!.Convert(converted.TotalPrice));
    }

    [Fact]
    public async Task Foreign_currency_without_a_rate_is_refused_rather_than_added_unconverted()
    {
        var normalizer = new CurrencyNormalizer(_rates);
        var refund = new RefundIssued
        {
            Store = TestStores.UkShop.Store, Channel = SalesChannel.Stripe, EventId = "r1", OccurredAt = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero),
            StoreTimeZone = "Europe/London", Currency = "JPY", RefundId = "r1", OrderId = "o1", Amount = 1000m,
        };

        var error = await Assert.ThrowsAsync<MissingExchangeRateException>(() => normalizer.NormalizeAsync(refund, "GBP", null, TestContext.Current.CancellationToken));

        Assert.Contains("JPY→GBP", error.Message, StringComparison.Ordinal);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
