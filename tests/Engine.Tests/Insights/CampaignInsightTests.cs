using ClickHouse.Driver;
using DuckDB.NET.Data;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Engine.History.ClickHouse;
using SalesDash.Engine.Tests.History;
using SalesDash.Engine.History.DuckDb;

namespace SalesDash.Engine.Tests.Insights;

/// <summary>
/// Ad spend keeps its campaign through both history stores (including tables made before it did), and the ad insight
/// names the campaign to check with that campaign's own figures.
/// </summary>
public sealed class CampaignInsightTests
{
    // A Wednesday noon in a UTC store: "today so far" is 00:00-12:00, compared with last Wednesday 00:00-12:00.
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastWeek = Now.AddDays(-7);
    private static readonly StoreProfile Shop = new(new StoreRef("acme", "campaign-shop"), "Campaign shop", SalesChannel.Shopify, "shop.example", "GBP", "UTC", "secret");

    public static TheoryData<string> Kinds => ["DuckDb", "ClickHouse"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task With_two_campaigns_the_insight_names_the_one_whose_spend_rose_most_with_its_own_figures(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        // Last Wednesday by noon: 6 orders of 50 from Facebook ads; 'Summer Sale' spent 20, 'Brand' 100.
        // Today by noon: 3 such orders; 'Summer Sale' spent 60 (+40), 'Brand' 110 (+10). Brand spends more, Summer Sale rose more.
        (string Campaign, string Name, DateTimeOffset At, decimal Spend)[] spend =
        [
            ("facebook:1", "Summer Sale (draft)", LastWeek.AddHours(-3), 20m),
            ("facebook:2", "Brand", LastWeek.AddHours(-3), 100m),
            ("facebook:1", "Summer Sale", Now.AddHours(-3), 60m),
            ("facebook:2", "Brand", Now.AddHours(-3), 110m),
        ];
        var events = new List<CommerceEvent>();
        events.AddRange(Enumerable.Range(0, 6).Select(i => Order($"lw-{i}", LastWeek.AddHours(-4).AddMinutes(10 * i), 50m)));
        events.AddRange(Enumerable.Range(0, 3).Select(i => Order($"td-{i}", Now.AddHours(-4).AddMinutes(10 * i), 50m)));
        // An order after noon last week is not "the same time" and must not count.
        events.Add(Order("lw-late", LastWeek.AddHours(2), 500m));
        events.AddRange(spend.Select((s, i) => Spend($"spend-{i}", s.Campaign, s.Name, s.At, s.Spend)));
        foreach (var e in events)
        {
            await under.Store.WriteFactsAsync(Facts.Batch(e), Ct);
        }

        var insights = await new InsightService(under.Store, new FakeTimeProvider(Now), (IChannelInsightStore)under.Store).GenerateAsync(Shop, Ct);

        // The figures are recomputed from the inputs above.
        var (revenue, revenueThen) = (3 * 50m, 6 * 50m);
        var (total, totalThen) = (spend.Where(s => s.At > LastWeek).Sum(s => s.Spend), spend.Where(s => s.At < LastWeek).Sum(s => s.Spend));
        var ad = Assert.Single(insights.Insights, i => i.Kind == "ad-channel");
        Assert.Equal(
            [
                new InsightFigure("Facebook Ads last-touch revenue", revenue, revenueThen, "GBP"),
                new InsightFigure("Facebook Ads spend", total, totalThen, "GBP"),
                new InsightFigure("Facebook Ads return on spend", Math.Round(revenue / total, 2), Math.Round(revenueThen / totalThen, 2), "x"),
                new InsightFigure("Campaign 'Summer Sale' spend", 60m, 20m, "GBP"),
            ],
            ad.Figures);
        Assert.Equal(
            "Revenue from Facebook Ads visits fell 50% against last Wednesday at this time (GBP 150.00 against GBP 300.00) while spend rose 42% "
                + "(GBP 170.00 against GBP 120.00): each GBP 1 of spend brought GBP 0.88 against 2.50 — check campaign 'Summer Sale' "
                + "(spend GBP 60.00 against GBP 20.00, the largest rise of its 2 campaigns).",
            ad.Text);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Spend_keeps_its_campaign_id_and_name_through_the_store(string kind)
    {
        await using var under = await StoreUnderTest.CreateAsync(kind, Ct);
        await under.Store.WriteFactsAsync(Facts.Batch(
            Spend("s-1", "googleads:111", "Search - Brand", Now.AddHours(-2), 12.34m) with { Channel = SalesChannel.GoogleAds },
            Spend("s-2", "facebook:23843", null, Now.AddHours(-1), 5.5m)), Ct);

        var data = await ((IChannelInsightStore)under.Store).ReadAsync("acme", new HistoryRange(Now.AddDays(-1), Now), Ct);

        Assert.Equal(
            [("s-1", "googleads:111", "Search - Brand", 12.34m), ("s-2", "facebook:23843", null, 5.5m)],
            data.Spend.OrderBy(s => s.SpendId, StringComparer.Ordinal).Select(s => (s.SpendId, s.CampaignId, s.CampaignName, s.Spend)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_spend_table_made_before_campaigns_were_kept_is_upgraded_and_its_old_rows_read_without_one(string kind)
    {
        using var folder = new TempDirectory();
        var database = $"salesdash_test_{Guid.NewGuid():N}";
        IHistoryStore store;
        if (kind == "ClickHouse")
        {
            using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(StoreUnderTest.ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
            await server.ExecuteNonQueryAsync($"CREATE DATABASE {database}", cancellationToken: Ct);
            // The table as the previous release created it.
            await server.ExecuteNonQueryAsync($"""
                CREATE TABLE {database}.history_ad_spend (
                    tenant_id String, store_id String, spend_id String, channel String, occurred_at DateTime('UTC'), spend Decimal(18,2), currency String)
                ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(occurred_at) ORDER BY (tenant_id, store_id, spend_id)
                """, cancellationToken: Ct);
            await server.ExecuteNonQueryAsync(
                $"INSERT INTO {database}.history_ad_spend VALUES ('acme', 'campaign-shop', 'old-1', 'FacebookAds', '2026-11-25 08:00:00', 30.00, 'GBP')",
                cancellationToken: Ct);
            store = new ClickHouseHistoryStore(ClickHouseHistoryStore.ConnectionStringFor(StoreUnderTest.ClickHouseUrl(), database));
        }
        else
        {
            var path = Path.Combine(folder.Path, "snapshots.duckdb");
            using (var connection = new DuckDBConnection($"Data Source={path}"))
            {
                connection.Open();
                // The tables as the previous release created them, with a fact already written.
                foreach (var sql in new[]
                         {
                             """
                             CREATE TABLE history_ad_spend (
                                 tenant_id VARCHAR NOT NULL, store_id VARCHAR NOT NULL, spend_id VARCHAR NOT NULL, channel VARCHAR NOT NULL,
                                 occurred_at TIMESTAMP NOT NULL, spend DECIMAL(18,2) NOT NULL, currency VARCHAR NOT NULL)
                             """,
                             "CREATE TABLE stage_ad_spend AS SELECT * FROM history_ad_spend WITH NO DATA",
                             "INSERT INTO history_ad_spend VALUES ('acme', 'campaign-shop', 'old-1', 'FacebookAds', TIMESTAMP '2026-11-25 08:00:00', 30.00, 'GBP')",
                         })
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    command.ExecuteNonQuery();
                }
            }

            store = new DuckDbHistoryStore($"Data Source={path}");
        }

        try
        {
            await store.InitializeAsync(Ct);
            await store.WriteFactsAsync(Facts.Batch(Spend("new-1", "facebook:1", "Summer Sale", Now.AddHours(-1), 45m)), Ct);

            var data = await ((IChannelInsightStore)store).ReadAsync("acme", new HistoryRange(Now.AddDays(-1), Now), Ct);

            Assert.Equal(
                [("new-1", "facebook:1", "Summer Sale", 45m), ("old-1", null, null, 30m)],
                data.Spend.OrderBy(s => s.SpendId, StringComparer.Ordinal).Select(s => (s.SpendId, s.CampaignId, s.CampaignName, s.Spend)));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
            if (kind == "ClickHouse")
            {
                using var server = new ClickHouseClient(ClickHouseHistoryStore.ConnectionStringFor(StoreUnderTest.ClickHouseUrl(), "default") + ";JsonReadMode=None;JsonWriteMode=None");
                await server.ExecuteNonQueryAsync($"DROP DATABASE IF EXISTS {database}", cancellationToken: CancellationToken.None);
            }
        }
    }

    [Fact]
    public void When_no_campaign_spent_more_the_one_that_spent_most_is_named_and_spend_without_a_campaign_is_left_out()
    {
        SpendFact Fact(string store, SalesChannel channel, string? campaign, string? name, DateTimeOffset at, decimal spend) =>
            new("acme", store, channel, Guid.NewGuid().ToString("N"), at, spend, "GBP", campaign, name);
        SpendFact[] now =
        [
            Fact("campaign-shop", SalesChannel.FacebookAds, "facebook:1", null, Now, 50m),
            Fact("campaign-shop", SalesChannel.FacebookAds, "facebook:2", "Brand", Now, 80m),
            Fact("campaign-shop", SalesChannel.FacebookAds, null, null, Now, 900m),
            Fact("campaign-shop", SalesChannel.GoogleAds, "googleads:9", "Search", Now, 700m),
            Fact("other-shop", SalesChannel.FacebookAds, "facebook:3", "Elsewhere", Now, 600m),
        ];
        SpendFact[] then =
        [
            Fact("campaign-shop", SalesChannel.FacebookAds, "facebook:1", null, LastWeek, 60m),
            Fact("campaign-shop", SalesChannel.FacebookAds, "facebook:2", "Brand", LastWeek, 90m),
        ];

        var campaigns = CampaignSpend.Of(now, then, "campaign-shop", SalesChannel.FacebookAds);

        Assert.Equal([new CampaignSpend("facebook:1", "facebook:1", 50m, 60m), new CampaignSpend("facebook:2", "Brand", 80m, 90m)], campaigns);
        Assert.Equal(campaigns[1], CampaignSpend.MostRisen(campaigns));
        Assert.Null(CampaignSpend.MostRisen([]));
    }

    private static OrderPlaced Order(string id, DateTimeOffset at, decimal total) => new()
    {
        Store = Shop.Store,
        Channel = SalesChannel.Shopify,
        EventId = $"order-{id}",
        OccurredAt = at,
        StoreTimeZone = "UTC",
        Currency = "GBP",
        OrderId = id,
        PlacedAt = at,
        Version = at,
        TotalPrice = total,
        Lines = [new OrderLine("MUG", "Mug", 1, total)],
        UtmSource = "facebook",
        UtmMedium = "paid",
        LandingSite = "/",
    };

    private static AdSpendRecorded Spend(string id, string campaign, string? name, DateTimeOffset at, decimal spend) => new()
    {
        Store = Shop.Store,
        Channel = SalesChannel.FacebookAds,
        EventId = id,
        OccurredAt = at,
        StoreTimeZone = "UTC",
        Currency = "GBP",
        CampaignId = campaign,
        CampaignName = name,
        Spend = spend,
    };
}
