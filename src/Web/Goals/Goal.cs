using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Goals;

/// <summary>What a goal counts.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GoalMetric>))]
public enum GoalMetric
{
    Revenue,
    Orders,
}

/// <summary>The period a goal runs over: the current day, week (Monday first), month, or fixed dates (a sale).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GoalPeriod>))]
public enum GoalPeriod
{
    Day,
    Week,
    Month,
    Custom,
}

/// <summary>
/// A revenue or orders target of one store (<see cref="StoreId"/>) or of the whole organisation (null). Day, week
/// and month goals start again each period; a custom goal runs from <see cref="From"/> to <see cref="To"/> (store-local
/// dates, both included).
/// </summary>
public sealed record Goal(
    string Id,
    string TenantId,
    string? StoreId,
    string Name,
    GoalMetric Metric,
    decimal Target,
    GoalPeriod Period,
    DateOnly? From,
    DateOnly? To,
    PaceMethod Pace,
    bool AlertWhenBehind,
    DateTimeOffset CreatedAt);

/// <summary>An organisation's goals (kept by the app database).</summary>
public interface IGoalStore
{
    Task<IReadOnlyList<Goal>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Every goal that asks for an alert when it falls behind, of every organisation, for the pace check.</summary>
    Task<IReadOnlyList<Goal>> ListAlertingAsync(CancellationToken cancellationToken);

    Task<Goal?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task SaveAsync(Goal goal, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken);
}

/// <summary>A goal kept whole as JSON beside the columns it is looked up by.</summary>
public sealed class GoalRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Body { get; set; }
    public bool AlertWhenBehind { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The goals table of the app database, configured from <c>AppDataModel</c>.</summary>
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<GoalRow>(e =>
        {
            e.ToTable("Goals");
            e.HasKey(g => g.Id);
            e.HasIndex(g => g.TenantId);
        });
    }
}

/// <summary>Goals in the app database.</summary>
public sealed class EfGoalStore(IDbContextFactory<AppIdentityDbContext> databases) : IGoalStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<IReadOnlyList<Goal>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<GoalRow>().AsNoTracking().Where(g => g.TenantId == tenantId).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(Read)];
    }

    public async Task<IReadOnlyList<Goal>> ListAlertingAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<GoalRow>().AsNoTracking().Where(g => g.AlertWhenBehind).ToListAsync(cancellationToken);
        return [.. rows.Select(Read)];
    }

    public async Task<Goal?> GetAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<GoalRow>().AsNoTracking().SingleOrDefaultAsync(g => g.Id == id && g.TenantId == tenantId, cancellationToken);
        return row is null ? null : Read(row);
    }

    public async Task SaveAsync(Goal goal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(goal);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<GoalRow>().SingleOrDefaultAsync(g => g.Id == goal.Id, cancellationToken);
        if (row is null)
        {
            db.Add(new GoalRow
            {
                Id = goal.Id,
                TenantId = goal.TenantId,
                Body = JsonSerializer.Serialize(goal, Json),
                AlertWhenBehind = goal.AlertWhenBehind,
                CreatedAt = StoredTime.From(goal.CreatedAt),
            });
        }
        else
        {
            row.Body = JsonSerializer.Serialize(goal, Json);
            row.AlertWhenBehind = goal.AlertWhenBehind;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<GoalRow>().Where(g => g.Id == id && g.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    private static Goal Read(GoalRow row) =>
        JsonSerializer.Deserialize<Goal>(row.Body, Json) ?? throw new InvalidOperationException($"Goal {row.Id} has an empty body.");
}
