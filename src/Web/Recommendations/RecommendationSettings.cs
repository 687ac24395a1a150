using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Insights.Recommendations;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Recommendations;

/// <summary>A store's own settings for its recommendations; a store without a row uses the rules' defaults.</summary>
public sealed class RecommendationSettingsRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }

    /// <summary>Days a restock takes from order to shelf; null for <see cref="StockOutRule.DefaultLeadTimeDays"/>.</summary>
    public int? LeadTimeDays { get; set; }
}

/// <summary>A store's recommendation settings as the API shows them, with the default a cleared setting falls back to.</summary>
public sealed record RecommendationSettingsView(int LeadTimeDays, bool LeadTimeIsDefault, int DefaultLeadTimeDays, int MaxLeadTimeDays);

/// <summary>A change of settings: the lead time in whole days, or null (or left out) to go back to the default. Kept raw so a string or a fraction gets its own message.</summary>
public sealed record RecommendationSettingsChange(JsonElement? LeadTimeDays);

/// <summary>Reads and keeps each store's recommendation settings; the stock-out rule reads the lead time from here.</summary>
public sealed class RecommendationSettings(IDbContextFactory<AppIdentityDbContext> databases)
{
    /// <summary>A year: a lead time beyond it is a typo (days for hours, an extra digit), and would advise stocking a year's sales.</summary>
    public const int MaxLeadTimeDays = 365;

    public async Task<RecommendationSettingsView> GetAsync(StoreRef store, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var days = await db.Set<RecommendationSettingsRow>().AsNoTracking()
            .Where(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId).Select(r => r.LeadTimeDays).FirstOrDefaultAsync(cancellationToken);
        return View(days);
    }

    /// <summary>Checks and keeps a change; returns the problem with the lead time (and keeps nothing) when it is not a whole number of days from 1 to <see cref="MaxLeadTimeDays"/>.</summary>
    public async Task<(RecommendationSettingsView? Saved, string? Problem)> SetAsync(StoreRef store, RecommendationSettingsChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (Parse(change.LeadTimeDays) is { Problem: { } problem })
        {
            return (null, problem);
        }

        var days = Parse(change.LeadTimeDays).Days;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<RecommendationSettingsRow>().FirstOrDefaultAsync(r => r.TenantId == store.TenantId && r.StoreId == store.StoreId, cancellationToken);
        if (row is null)
        {
            row = new RecommendationSettingsRow { TenantId = store.TenantId, StoreId = store.StoreId };
            db.Add(row);
        }

        row.LeadTimeDays = days;
        await db.SaveChangesAsync(cancellationToken);
        return (View(days), null);
    }

    /// <summary>The lead time a change asks for: null (the default) or whole days within range; anything else is the problem, in words.</summary>
    public static (int? Days, string? Problem) Parse(JsonElement? value)
    {
        if (value is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (element.ValueKind != JsonValueKind.Number)
        {
            return (null, $"leadTimeDays must be a number of days, not {(element.ValueKind == JsonValueKind.String ? $"the text \"{Truncate(element.GetString())}\"" : element.ValueKind.ToString().ToLowerInvariant())}.");
        }

        if (!element.TryGetDecimal(out var number) || number != decimal.Truncate(number))
        {
            return (null, $"leadTimeDays must be a whole number of days, not {Truncate(element.GetRawText())}.");
        }

        return number < 1 || number > MaxLeadTimeDays
            ? (null, $"leadTimeDays must be from 1 to {MaxLeadTimeDays} days, not {number}.")
            : ((int)number, null);
    }

    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<RecommendationSettingsRow>(e =>
        {
            e.ToTable("RecommendationSettings");
            e.HasKey(r => new { r.TenantId, r.StoreId });
        });
    }

    private static RecommendationSettingsView View(int? days) =>
        new(days ?? StockOutRule.DefaultLeadTimeDays, days is null, StockOutRule.DefaultLeadTimeDays, MaxLeadTimeDays);

    private static string Truncate(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "...";
}
