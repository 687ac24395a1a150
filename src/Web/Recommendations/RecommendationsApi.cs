using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Connectors.Currency;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.History;
using SalesDash.Engine.Insights;
using SalesDash.Engine.Insights.MultiChannel;
using SalesDash.Engine.Insights.Recommendations;
using SalesDash.Web.AppData;
using SalesDash.Web.Benchmarks;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Recommendations;

/// <summary>A merchant's verdict on one recommendation of one store: done or dismissed, and when (the before/after split).</summary>
public sealed class RecommendationStatusRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }

    /// <summary>Kind and key, e.g. "ProductReturns:shoe-1".</summary>
    public required string Key { get; set; }
    public required string Status { get; set; }
    public DateTime MarkedAt { get; set; }
    public string? MarkedBy { get; set; }
}

/// <summary>The store's figures over equal spans before and after a recommendation was marked done.</summary>
public sealed record BeforeAfter(DateTimeOffset MarkedAt, int Days, StoreFigures Before, StoreFigures After);

/// <summary>Revenue, orders, AOV, conversion and refund rate of a span; a ratio is null when its base is zero.</summary>
public sealed record StoreFigures(decimal Revenue, long Orders, decimal? AverageOrderValue, decimal? ConversionRate, decimal? RefundRate);

/// <summary>A recommendation as the page shows it: the advice, its status, and once done for a day, the figures before and after.</summary>
public sealed record RecommendationView(
    string Id, string Kind, string Title, string Action, decimal RevenueAtStake, IReadOnlyList<RecommendationFigure> Figures, string DrillDown,
    string Status, BeforeAfter? Result);

/// <param name="LeadTimeDays">The restock lead time the stock-out advice was worked out with (the store's setting, else the default).</param>
/// <param name="Catalogues">How each channel's catalogue stands: read, failed, or waiting for the merchant to reconnect.</param>
public sealed record RecommendationsView(string TenantId, string StoreId, string Currency, DateTimeOffset FromUtc, DateTimeOffset ToUtc, IReadOnlyList<RecommendationView> Items,
    int LeadTimeDays, IReadOnlyList<CatalogueStatus> Catalogues);

public sealed record RecommendationStatusChange(string Status);

/// <summary>
/// Reads a store's history and runs the recommendation rules whose inputs it keeps: returns per product (last 28 whole
/// days), conversion per channel and per store-local hour (the last 7 days against the 7 before), ad campaigns' daily
/// return, products bought together (order lines of the last 30 days, or 90 when 30 show no pair), and the
/// free-shipping threshold from the order totals against the peers' median AOV in the store's currency; then joins the
/// merchant's verdicts. Products are judged against their category and their stock from the channels' catalogues
/// (<see cref="ProductCatalogue"/>): without categories the yardstick is the rest of the store, and without a stock count
/// read in the last <see cref="StockStaleAfter"/> the stock-out rule stays silent.
/// Ads are judged per campaign on the last three whole store-local days: spend per campaign from the ad pollers, revenue
/// from the orders whose visit's utm_campaign names the campaign (see <see cref="CampaignAttribution"/>).
/// </summary>
public sealed class StoreRecommendations(
    IHistoryStore history, IChannelInsightStore insight, IDbContextFactory<AppIdentityDbContext> databases, PeerBenchmarks peers, IExchangeRates rates,
    ProductCatalogue catalogue, RecommendationSettings settings, TimeProvider time)
{
    /// <summary>
    /// Catalogues are read hourly while a channel is connected; a stock count older than a day means no source is connected
    /// any more (the connection went, or its reads fail), and a stale count would advise reordering what has been restocked.
    /// </summary>
    public static readonly TimeSpan StockStaleAfter = TimeSpan.FromDays(1);

    public const int Days = 28;

    /// <summary>Conversion is compared week over week: the same weekdays on both sides, so a quiet weekend never reads as a fall.</summary>
    public const int ConversionDays = 7;

    /// <summary>Windows the bundle rule reads, shortest first: the last 30 days show what sells together now; a store with no pair in 30 gets one from 90.</summary>
    public static readonly IReadOnlyList<int> BundleDays = [30, 90];

    /// <summary>The most orders a bundle window reads, in pages; a bigger store's pairs rest on the window's first orders of that many.</summary>
    public const int MaxBasketOrders = 100_000;

    private const int BasketPage = 1_000;

    /// <summary>
    /// The most orders the free-shipping threshold is read from: far above a month of the stores SalesDash serves; a
    /// bigger store's threshold rests on its newest orders of that many.
    /// </summary>
    public const int MaxOrdersForThreshold = 50_000;

    public static readonly string[] Statuses = ["open", "done", "dismissed"];

    public async Task<RecommendationsView> GetAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var end = new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var now = new HistoryRange(end.AddDays(-Days), end);
        var scope = HistoryScope.Store(store.Store.TenantId, store.Store.StoreId);
        var found = new List<Recommendation>();

        var products = await history.BreakdownAsync(scope, now, BreakdownDimension.Product, cancellationToken);
        var listed = (await catalogue.ReadAsync(store.Store, cancellationToken)).ToDictionary(e => e.Sku, StringComparer.Ordinal);
        found.AddRange(ReturnRateRule.Evaluate([.. products.Select(p => new ProductReturns(p.Key, p.Label, listed.GetValueOrDefault(p.Key)?.Category, p.GrossRevenue, p.Units, p.RefundedUnits))]));
        var leadTime = (await settings.GetAsync(store.Store, cancellationToken)).LeadTimeDays;
        found.AddRange(StockOuts(listed.Values, products, leadTime, time.GetUtcNow()));

        var week = new HistoryRange(end.AddDays(-ConversionDays), end);
        var weekBefore = new HistoryRange(end.AddDays(-2 * ConversionDays), end.AddDays(-ConversionDays));
        var channelsNow = await history.BreakdownAsync(scope, week, BreakdownDimension.Channel, cancellationToken);
        var channelsBefore = (await history.BreakdownAsync(scope, weekBefore, BreakdownDimension.Channel, cancellationToken)).ToDictionary(c => c.Key, StringComparer.Ordinal);
        found.AddRange(ConversionDropRule.Evaluate(channelsNow.Where(c => channelsBefore.ContainsKey(c.Key)).Select(c => new SegmentConversion("channel", c.Key, c.Label,
            channelsBefore[c.Key].Sessions, channelsBefore[c.Key].Orders, c.Sessions, c.Orders, c.Orders == 0 ? 0m : c.GrossRevenue / c.Orders))));

        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(store.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var hoursNow = await HoursAsync(scope, week, zone, cancellationToken);
        var hoursBefore = await HoursAsync(scope, weekBefore, zone, cancellationToken);
        found.AddRange(ConversionDropRule.Evaluate(hoursNow.Where(h => hoursBefore.ContainsKey(h.Key)).Select(h => new SegmentConversion("hour", h.Key.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            $"{h.Key:00}:00", hoursBefore[h.Key].Sessions, hoursBefore[h.Key].Orders, h.Value.Sessions, h.Value.Orders,
            h.Value.Orders == 0 ? 0m : h.Value.GrossRevenue / h.Value.Orders))));

        // Campaigns are judged on whole store-local days; the read is a day wider on each side than the three days, and
        // attribution keeps only what falls on them in the store's zone.
        var lastAdDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime).AddDays(-1);
        var firstAdDay = lastAdDay.AddDays(1 - AdSpendRule.Days);
        var adRange = new HistoryRange(new DateTimeOffset(firstAdDay.AddDays(-1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new DateTimeOffset(lastAdDay.AddDays(2).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        var ads = await insight.ReadAsync(store.Store.TenantId, adRange, cancellationToken);
        found.AddRange(AdSpendRule.Evaluate(CampaignAttribution.Days(ads, store.Store.StoreId, zone, firstAdDay, lastAdDay), lastAdDay));

        found.AddRange(await BundlesAsync(store.Store, end, cancellationToken));

        var totals = (await history.RecentOrdersAsync(scope, now, MaxOrdersForThreshold, cancellationToken)).Where(o => !o.Cancelled).Select(o => o.Total).ToList();
        found.AddRange(FreeShippingRule.Evaluate(totals, await PeerMedianAovAsync(store, DateOnly.FromDateTime(end.UtcDateTime).AddDays(-1), cancellationToken)));

        List<RecommendationStatusRow> marks;
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            marks = await db.Set<RecommendationStatusRow>().AsNoTracking()
                .Where(r => r.TenantId == store.Store.TenantId && r.StoreId == store.Store.StoreId).ToListAsync(cancellationToken);
        }

        var items = new List<RecommendationView>();
        foreach (var r in RecommendationRanking.Rank(found))
        {
            var id = $"{r.Kind}:{r.Key}";
            var mark = marks.FirstOrDefault(m => m.Key == id);
            var result = mark?.Status == "done" ? await BeforeAfterAsync(scope, StoredTime.To(mark.MarkedAt), cancellationToken) : null;
            items.Add(new RecommendationView(id, r.Kind.ToString(), r.Title, r.Action, r.RevenueAtStake, r.Figures, r.DrillDown, mark?.Status ?? "open", result));
        }

        return new RecommendationsView(store.Store.TenantId, store.Store.StoreId, store.Currency, now.FromUtc, now.ToUtc, items, leadTime,
            await catalogue.StatusesAsync(store.Store, cancellationToken));
    }

    /// <summary>
    /// Stock-outs from the stock counts read within <see cref="StockStaleAfter"/> (none: the rule is given no stock and says
    /// nothing) against the units sold over the last <see cref="Days"/> days, at the store's lead time
    /// (<see cref="RecommendationSettings"/>); each carries how many hours old its count is.
    /// </summary>
    private static IReadOnlyList<Recommendation> StockOuts(IEnumerable<CatalogueEntry> listed, IReadOnlyList<BreakdownTotals> products, int leadTimeDays, DateTimeOffset now)
    {
        var counted = listed.Where(e => e.OnHand is not null && now - e.ReadAt <= StockStaleAfter).ToDictionary(e => e.Sku, StringComparer.Ordinal);
        var advised = StockOutRule.Evaluate(counted.Count == 0 ? null : [.. counted.Values.Select(e => new StockLevel(e.Sku, e.OnHand!.Value))],
            [.. products.Select(p => new ProductSales(p.Key, p.Label, p.Units, p.GrossRevenue))], Days, leadTimeDays);
        return
        [
            .. advised.Select(r => r with
            {
                Figures = [.. r.Figures, new RecommendationFigure("Stock counted hours ago", Math.Round((decimal)(now - counted[r.Key].ReadAt).TotalHours, 1, MidpointRounding.AwayFromZero))],
            }),
        ];
    }

    /// <summary>
    /// Pairs of products bought together, from the order lines (newest versions, cancelled orders left out) of the
    /// shortest window in <see cref="BundleDays"/> that shows a pair above the rule's floor; each carries the days it read.
    /// </summary>
    private async Task<IReadOnlyList<Recommendation>> BundlesAsync(StoreRef store, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (history is not IHistoryFactExport facts)
        {
            return [];
        }

        foreach (var days in BundleDays)
        {
            var lines = new List<BasketLine>();
            var read = 0;
            // After (start, ""): every order placed at or after the window's start, since no order id is empty.
            var cursor = new FactCursor(end.AddDays(-days), string.Empty);
            while (read < MaxBasketOrders)
            {
                var page = await facts.OrdersAfterAsync(store, cursor, BasketPage, cancellationToken);
                var inside = page.Where(o => o.PlacedAt < end).ToList();
                read += inside.Count;
                lines.AddRange(inside.Where(o => !o.Cancelled)
                    .SelectMany(o => o.Lines.Where(l => l.Sku.Length > 0).Select(l => new BasketLine(o.OrderId, l.Sku, l.Title, l.LineRevenue))));
                if (page.Count < BasketPage || inside.Count < page.Count)
                {
                    break;
                }

                cursor = new FactCursor(page[^1].PlacedAt, page[^1].OrderId);
            }

            var pairs = BundleRule.Evaluate(lines);
            if (pairs.Count > 0)
            {
                return [.. pairs.Select(p => p with { Figures = [.. p.Figures, new RecommendationFigure("Days read", days)] })];
            }
        }

        return [];
    }

    /// <summary>
    /// The median AOV of the organisation's narrowest published cohort, converted from US dollars (what peers are
    /// compared in) into the store's currency at the last whole day's rate; null without a cohort or a rate.
    /// </summary>
    private async Task<decimal?> PeerMedianAovAsync(StoreProfile store, DateOnly rateDate, CancellationToken cancellationToken)
    {
        var aov = (await peers.GetAsync(store.Store.TenantId, cancellationToken)).Metrics.Single(m => m.Metric == nameof(BenchmarkMetric.AverageOrderValue));
        if (aov.P50 is not { } usd)
        {
            return null;
        }

        var currency = store.Currency.ToUpperInvariant();
        if (currency == PeerFigures.CommonCurrency)
        {
            return usd;
        }

        if (await rates.FindAsync(PeerFigures.CommonCurrency, currency, rateDate, cancellationToken) is { } direct)
        {
            return Math.Round(usd * direct.Rate, 2, MidpointRounding.AwayFromZero);
        }

        return await rates.FindAsync(currency, PeerFigures.CommonCurrency, rateDate, cancellationToken) is { Rate: > 0m } inverse
            ? Math.Round(usd / inverse.Rate, 2, MidpointRounding.AwayFromZero)
            : null;
    }

    /// <exception cref="ArgumentException">A status other than open, done or dismissed.</exception>
    public async Task MarkAsync(StoreProfile store, string id, string status, string? userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!Statuses.Contains(status, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{status}' is not a status; use one of: {string.Join(", ", Statuses)}.", nameof(status));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<RecommendationStatusRow>().FirstOrDefaultAsync(
            r => r.TenantId == store.Store.TenantId && r.StoreId == store.Store.StoreId && r.Key == id, cancellationToken);
        if (status == "open")
        {
            if (row is not null)
            {
                db.Remove(row);
            }
        }
        else
        {
            if (row is null)
            {
                row = new RecommendationStatusRow { TenantId = store.Store.TenantId, StoreId = store.Store.StoreId, Key = id, Status = status };
                db.Add(row);
            }

            row.Status = status;
            row.MarkedAt = StoredTime.From(time.GetUtcNow());
            row.MarkedBy = userId;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Whole days after the marking (up to <see cref="Days"/>) against as many days before it, split at the hour it was
    /// marked in; null until a whole day has passed, so a few hours are not read as a result.
    /// </summary>
    private async Task<BeforeAfter?> BeforeAfterAsync(HistoryScope scope, DateTimeOffset markedAt, CancellationToken cancellationToken)
    {
        var split = DateTimeOffset.FromUnixTimeSeconds(HistoryRollups.HourOf(markedAt));
        var days = Math.Min(Days, (int)Math.Floor((time.GetUtcNow() - split).TotalDays));
        if (days < 1)
        {
            return null;
        }

        var span = TimeSpan.FromDays(days);
        return new BeforeAfter(markedAt, days, await FiguresAsync(scope, new HistoryRange(split - span, split), cancellationToken),
            await FiguresAsync(scope, new HistoryRange(split, split + span), cancellationToken));
    }

    private async Task<StoreFigures> FiguresAsync(HistoryScope scope, HistoryRange range, CancellationToken cancellationToken)
    {
        var t = (await history.SlotsAsync(scope, range, range.Length, cancellationToken)).Aggregate(HistoryTotals.Zero, (sum, s) => sum.Plus(s.Totals));
        static decimal? Ratio(decimal top, decimal bottom) => bottom == 0m ? null : Math.Round(top / bottom, 4, MidpointRounding.AwayFromZero);
        return new StoreFigures(t.GrossRevenue, t.Orders, Ratio(t.GrossRevenue, t.Orders), Ratio(t.Orders, t.Sessions), Ratio(t.Refunds, t.GrossRevenue));
    }

    /// <summary>Totals per store-local hour of day, summed over the range's hourly slots (whole-hour zones answer from rollups).</summary>
    private async Task<Dictionary<int, HistoryTotals>> HoursAsync(HistoryScope scope, HistoryRange range, TimeZoneInfo zone, CancellationToken cancellationToken) =>
        (await history.SlotsAsync(scope, range, TimeSpan.FromHours(1), cancellationToken))
            .GroupBy(s => TimeZoneInfo.ConvertTime(range.FromUtc.AddHours(s.Index), zone).Hour)
            .ToDictionary(g => g.Key, g => g.Aggregate(HistoryTotals.Zero, (sum, s) => sum.Plus(s.Totals)));
}

/// <summary>Recommendations of a store (advanced analytics) and the merchant's done/dismissed verdicts.</summary>
public static class RecommendationsApi
{
    public static IServiceCollection AddRecommendations(this IServiceCollection services)
    {
        services.AddSingleton<ProductCatalogue>();
        services.AddSingleton<RecommendationSettings>();
        services.AddSingleton<StoreRecommendations>();
        return services;
    }

    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<RecommendationStatusRow>(e =>
        {
            e.ToTable("RecommendationStatuses");
            e.HasKey(r => new { r.TenantId, r.StoreId, r.Key });
        });
        ProductCatalogue.Configure(builder);
        RecommendationSettings.Configure(builder);
    }

    /// <summary>Maps GET /recommendations, PUT /recommendations/{id}/status and GET/PUT /recommendations/settings on the store-scoped group.</summary>
    public static RouteGroupBuilder MapRecommendationsApi(this RouteGroupBuilder store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.MapGet("/recommendations", GetAsync).WithName("GetRecommendations").RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        store.MapPut("/recommendations/{id}/status", MarkAsync).WithName("MarkRecommendation").RequireOrgRole(OrgRole.Analyst)
            .RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        store.MapGet("/recommendations/settings", GetSettingsAsync).WithName("GetRecommendationSettings").RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        store.MapPut("/recommendations/settings", SetSettingsAsync).WithName("SetRecommendationSettings").RequireOrgRole(OrgRole.Analyst)
            .RequirePlanFeature(PlanFeature.AdvancedAnalytics);
        return store;
    }

    private static async Task<Ok<RecommendationsView>> GetAsync(CurrentStore store, StoreRecommendations recommendations, CancellationToken cancellationToken) =>
        TypedResults.Ok(await recommendations.GetAsync(store.Profile, cancellationToken));

    private static async Task<Ok<RecommendationSettingsView>> GetSettingsAsync(CurrentStore store, RecommendationSettings settings, CancellationToken cancellationToken) =>
        TypedResults.Ok(await settings.GetAsync(store.Profile.Store, cancellationToken));

    /// <summary>The body is read here rather than bound, so a body that is not JSON gets the same 400 problem as a bad value, not a binding failure.</summary>
    private static async Task<Results<Ok<RecommendationSettingsView>, ProblemHttpResult>> SetSettingsAsync(
        HttpRequest request, CurrentStore store, RecommendationSettings settings, CancellationToken cancellationToken)
    {
        RecommendationSettingsChange change;
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid lead time", detail: "Send a JSON object such as {\"leadTimeDays\": 14}.");
            }

            change = new RecommendationSettingsChange(body.RootElement.TryGetProperty("leadTimeDays", out var days) ? days.Clone() : null);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid lead time", detail: $"The body is not JSON: {e.Message}");
        }

        var (saved, problem) = await settings.SetAsync(store.Profile.Store, change, cancellationToken);
        return saved is not null
            ? TypedResults.Ok(saved)
            : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid lead time", detail: problem);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> MarkAsync(
        string id, RecommendationStatusChange change, CurrentStore store, HttpContext http, StoreRecommendations recommendations, CancellationToken cancellationToken)
    {
        try
        {
            await recommendations.MarkAsync(store.Profile, id, change.Status, OrgAccess.UserId(http.User), cancellationToken);
            return TypedResults.NoContent();
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid recommendation status", detail: ex.Message);
        }
    }
}
