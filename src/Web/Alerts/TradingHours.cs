using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Stores;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Alerts;

/// <summary>A store's trading hours, store-local "HH:mm"; a store without a row trades <see cref="TradingHours.Default"/>.</summary>
public sealed class StoreTradingHoursRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Opens { get; set; }
    public required string Closes { get; set; }
}

/// <summary>Trading hours as the API reads and writes them: store-local "HH:mm", in the store's own time zone.</summary>
public sealed record TradingHoursView(string Opens, string Closes, string TimeZone);

/// <summary>What an admin sends.</summary>
public sealed record TradingHoursRequest(string? Opens, string? Closes);

/// <summary>Trading hours per store, kept in the app database; read by the rule store into no-orders rules that count silence only while the store trades.</summary>
public sealed class StoreTradingHours(IDbContextFactory<AppIdentityDbContext> databases)
{
    public async Task<TradingHours> GetAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<StoreTradingHoursRow>().AsNoTracking().SingleOrDefaultAsync(h => h.TenantId == store.TenantId && h.StoreId == store.StoreId, cancellationToken);
        return row is null ? TradingHours.Default : ToHours(row);
    }

    public async Task SetAsync(StoreRef store, TradingHours hours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(hours);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<StoreTradingHoursRow>().SingleOrDefaultAsync(h => h.TenantId == store.TenantId && h.StoreId == store.StoreId, cancellationToken);
        if (row is null)
        {
            row = new StoreTradingHoursRow { TenantId = store.TenantId, StoreId = store.StoreId, Opens = "", Closes = "" };
            db.Add(row);
        }

        row.Opens = Text(hours.Opens);
        row.Closes = Text(hours.Closes);
        await db.SaveChangesAsync(cancellationToken);
    }

    internal static TradingHours ToHours(StoreTradingHoursRow row) =>
        new(TimeOnly.ParseExact(row.Opens, "HH:mm", CultureInfo.InvariantCulture), TimeOnly.ParseExact(row.Closes, "HH:mm", CultureInfo.InvariantCulture));

    internal static string Text(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    internal static void Configure(ModelBuilder builder) =>
        builder.Entity<StoreTradingHoursRow>(e =>
        {
            e.ToTable("StoreTradingHours");
            e.HasKey(h => new { h.TenantId, h.StoreId });
            e.Property(h => h.TenantId).HasMaxLength(64);
            e.Property(h => h.StoreId).HasMaxLength(64);
            e.Property(h => h.Opens).HasMaxLength(5);
            e.Property(h => h.Closes).HasMaxLength(5);
        });
}

/// <summary>
/// The rules a new store starts with, so alerts work before anyone writes one: no orders for 30 minutes while the
/// store trades (the checkout-is-broken alarm), and an anomaly on orders, created switched off when the plan lacks
/// anomaly detection (the rule list then says which plan it needs).
/// </summary>
public sealed class DefaultAlertRules(IAlertRuleStore rules, IPlanService plans, IRequiredActor<AlertCoordinatorActor> coordinator)
{
    public const string NoOrdersName = "No orders for 30 minutes in trading hours";
    public const string AnomalyName = "Unusual number of orders";

    public async Task<IReadOnlyList<AlertRule>> CreateForAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var limits = await plans.GetLimitsAsync(store.TenantId, cancellationToken);
        var noOrders = await rules.CreateRuleAsync(store.TenantId, new AlertRuleInput(NoOrdersName, AlertRuleKind.NoOrders, AlertMetric.Orders, WindowMinutes: 30,
            StoreId: store.StoreId, DuringTradingHours: true), cancellationToken);
        var anomaly = await rules.CreateRuleAsync(store.TenantId, new AlertRuleInput(AnomalyName, AlertRuleKind.Anomaly, AlertMetric.Orders, AlertDirection.Either,
            MinimumSeverity: Engine.Anomalies.AnomalySeverity.Medium, StoreId: store.StoreId, Enabled: AlertRulePlans.Missing(limits, AlertRuleKind.Anomaly) is null),
            cancellationToken);
        coordinator.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        return [noOrders, anomaly];
    }
}

/// <summary>GET/PUT /api/tenants/{tenantId}/stores/{storeId}/trading-hours, on the store-scoped group (store resolved, role checked).</summary>
internal static class TradingHoursApi
{
    public static RouteGroupBuilder MapTradingHoursApi(this RouteGroupBuilder store)
    {
        var hours = store.MapGroup("/trading-hours");
        hours.MapGet("/", GetAsync).WithName("GetTradingHours").RequireOrgRole(OrgRole.Viewer);
        hours.MapPut("/", PutAsync).WithName("SetTradingHours").RequireOrgRole(OrgRole.Admin);
        return store;
    }

    private static async Task<Ok<TradingHoursView>> GetAsync(CurrentStore current, StoreTradingHours hours, CancellationToken cancellationToken)
    {
        var store = current.Profile;
        var h = await hours.GetAsync(store.Store, cancellationToken);
        return TypedResults.Ok(new TradingHoursView(StoreTradingHours.Text(h.Opens), StoreTradingHours.Text(h.Closes), store.TimeZone));
    }

    private static async Task<Results<Ok<TradingHoursView>, ValidationProblem>> PutAsync(
        CurrentStore current, TradingHoursRequest? request, StoreTradingHours hours,
        IRequiredActor<AlertCoordinatorActor> coordinator, CancellationToken cancellationToken)
    {
        var store = current.Profile;

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var okOpens = TimeOnly.TryParseExact(request?.Opens, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var opens);
        var okCloses = TimeOnly.TryParseExact(request?.Closes, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var closes);
        if (!okOpens)
        {
            errors["opens"] = ["Store-local HH:mm, e.g. 08:00."];
        }

        if (!okCloses)
        {
            errors["closes"] = ["Store-local HH:mm, e.g. 22:00 (before the opening time spans midnight)."];
        }
        else if (okOpens && opens == closes)
        {
            errors["closes"] = ["Opening and closing must differ."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The trading hours are not valid");
        }

        await hours.SetAsync(store.Store, new TradingHours(opens, closes), cancellationToken);
        // Rules read the hours when they are loaded: tell the evaluators to load them again.
        coordinator.ActorRef.Tell(AlertCoordinatorActor.RulesChanged.Instance);
        return TypedResults.Ok(new TradingHoursView(StoreTradingHours.Text(opens), StoreTradingHours.Text(closes), store.TimeZone));
    }
}
