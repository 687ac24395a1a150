using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.AppData;

// The rows of the app database beside identity's. They are plain mutable classes because EF Core tracks them; the
// stores map them to the records the rest of the code uses, so nothing outside AppData and the stores sees a row.
// Times are UTC DateTime (timestamptz on PostgreSQL, sortable text on SQLite, where DateTimeOffset cannot be
// ordered or compared in SQL); documents whose shape belongs to the caller (layouts, rule bodies) are JSON text.

/// <summary>A connected store; one shop domain belongs to one store per channel.</summary>
public sealed class StoreRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Name { get; set; }
    public required string Channel { get; set; }
    public required string ShopDomain { get; set; }
    public required string Currency { get; set; }
    public required string TimeZone { get; set; }
    public required string WebhookSecret { get; set; }

    /// <summary>Set while the store is disconnected (src/Web/Stores/StoreLifecycle); null when connected.</summary>
    public DateTime? DisconnectedAt { get; set; }
}

public sealed class DashboardRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Layout { get; set; }
    public required string Widgets { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A wallboard link; only the token's hash is kept.</summary>
public sealed class ShareLinkRow
{
    public required string Id { get; set; }
    public required string TokenHash { get; set; }
    public required string DashboardId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }

    /// <summary>When the link stops working on its own; null: until revoked.</summary>
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>An alert rule, kept whole as JSON beside the columns the evaluators filter on.</summary>
public sealed class AlertRuleRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Body { get; set; }
    public bool Enabled { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A fired alert; its lifecycle is in columns so acknowledging and resolving are single-row updates.</summary>
public sealed class AlertRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string RuleId { get; set; }
    public required string RuleName { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public DateTime FiredAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTime? ResolvedAt { get; set; }
    public required string Message { get; set; }
    public required string Figures { get; set; }
    public string? ResolvedFigures { get; set; }
}

/// <summary>A store's connection to a channel; <see cref="Credentials"/> is Data Protection ciphertext.</summary>
public sealed class ChannelConnectionRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Channel { get; set; }
    public bool Enabled { get; set; }
    public required string Settings { get; set; }
    public required string Credentials { get; set; }
    public long PollIntervalSeconds { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class ChannelSyncStatusRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Channel { get; set; }
    public required string Status { get; set; }
}

/// <summary>How far a poller got, per store and stream (the poller's own JSON).</summary>
public sealed class PollCursorRow
{
    public required string TenantId { get; set; }
    public required string StoreId { get; set; }
    public required string Stream { get; set; }
    public required string Cursor { get; set; }
}

/// <summary>A rate on a day; decimal so no digit is lost (numeric on PostgreSQL, text on SQLite).</summary>
public sealed class ExchangeRateRow
{
    public required string FromCurrency { get; set; }
    public required string ToCurrency { get; set; }
    public DateOnly RateDate { get; set; }
    public decimal Rate { get; set; }
    public required string Source { get; set; }
}

/// <summary>How the last exchange-rate refreshes from a provider went, so an operator sees how fresh the rates are.</summary>
public sealed class ExchangeRateRefreshRow
{
    /// <summary>The provider's URL: a changed URL starts a new record instead of inheriting another source's history.</summary>
    public required string Provider { get; set; }
    public DateTime? LastAttemptAt { get; set; }
    public DateTime? LastSuccessAt { get; set; }

    /// <summary>The newest rate date the last good refresh brought.</summary>
    public DateOnly? RatesDate { get; set; }
    public int RateCount { get; set; }

    /// <summary>Why the last attempt failed; null when it succeeded.</summary>
    public string? LastError { get; set; }
}

public sealed class CustomMetricRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public required string Formula { get; set; }
    public required string Format { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class OrganisationPlanRow
{
    public required string TenantId { get; set; }
    public required string Tier { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

public sealed class OrganisationBrandingRow
{
    public required string TenantId { get; set; }
    public required string ProductName { get; set; }
    public required string PrimaryColour { get; set; }
    public required string AccentColour { get; set; }
    public string? Logo { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A report definition, kept whole as JSON beside the columns the lists filter on.</summary>
public sealed class ReportRow
{
    public required string Id { get; set; }
    public required string TenantId { get; set; }
    public required string Name { get; set; }
    public bool Enabled { get; set; }
    public required string Body { get; set; }
}

/// <summary>One send of a report (JSON) and the PDF it sent.</summary>
public sealed class ReportSendRow
{
    public required string Id { get; set; }
    public required string ReportId { get; set; }
    public required string TenantId { get; set; }
    public DateTime StartedAt { get; set; }
    public required string Status { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public required string Body { get; set; }
    public byte[]? Pdf { get; set; }

    /// <summary>The claim of the send's latest attempt (see ReportSendClaims); null on sends made before sends had claims.</summary>
    public string? ClaimId { get; set; }

    /// <summary>Until when the attempt's node holds the send; renewed while it works, in a column so renewing never rewrites the body.</summary>
    public DateTime? LeaseUntil { get; set; }
}

/// <summary>An audit entry; the table refuses UPDATE and DELETE (triggers in both providers' migrations).</summary>
public sealed class AuditRow
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public string? TenantId { get; set; }
    public string? ActorUserId { get; set; }
    public string? ActorEmail { get; set; }
    public string? ApiKeyId { get; set; }
    public required string Action { get; set; }
    public required string Method { get; set; }
    public required string Path { get; set; }
    public required string Target { get; set; }
    public int Status { get; set; }
    public required string Outcome { get; set; }
    public string? Summary { get; set; }
}

/// <summary>A data file of an earlier version whose rows were copied in; its row is what stops a second copy.</summary>
public sealed class LegacyImportRow
{
    public required string Source { get; set; }
    public DateTime ImportedAt { get; set; }
    public int Rows { get; set; }
}

/// <summary>The app tables and their keys and indexes; called from <see cref="Identity.AppIdentityDbContext"/>.</summary>
public static class AppDataModel
{
    public const string AuditTable = "AuditLog";

    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Entity<StoreRow>(e =>
        {
            e.ToTable("Stores");
            e.HasKey(s => new { s.TenantId, s.StoreId });
            e.HasIndex(s => new { s.Channel, s.ShopDomain }).IsUnique();
        });
        builder.Entity<DashboardRow>(e =>
        {
            e.ToTable("Dashboards");
            e.HasKey(d => d.Id);
            e.HasIndex(d => d.TenantId);
        });
        builder.Entity<ShareLinkRow>(e =>
        {
            e.ToTable("ShareLinks");
            e.HasKey(l => l.Id);
            e.HasIndex(l => l.TokenHash).IsUnique();
            e.HasIndex(l => l.DashboardId);
        });
        builder.Entity<AlertRuleRow>(e =>
        {
            e.ToTable("AlertRules");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.TenantId);
        });
        builder.Entity<AlertRow>(e =>
        {
            e.ToTable("Alerts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.TenantId, a.FiredAt });
            e.HasIndex(a => new { a.TenantId, a.StoreId, a.Status });
        });
        builder.Entity<ChannelConnectionRow>(e =>
        {
            e.ToTable("ChannelConnections");
            e.HasKey(c => new { c.TenantId, c.StoreId, c.Channel });
        });
        builder.Entity<ChannelSyncStatusRow>(e =>
        {
            e.ToTable("ChannelSyncStatus");
            e.HasKey(c => new { c.TenantId, c.StoreId, c.Channel });
        });
        builder.Entity<PollCursorRow>(e =>
        {
            e.ToTable("PollCursors");
            e.HasKey(c => new { c.TenantId, c.StoreId, c.Stream });
        });
        builder.Entity<ExchangeRateRow>(e =>
        {
            e.ToTable("ExchangeRates");
            e.HasKey(r => new { r.FromCurrency, r.ToCurrency, r.RateDate });
        });
        builder.Entity<ExchangeRateRefreshRow>(e =>
        {
            e.ToTable("ExchangeRateRefreshes");
            e.HasKey(r => r.Provider);
        });
        builder.Entity<CustomMetricRow>(e =>
        {
            e.ToTable("CustomMetrics");
            e.HasKey(m => m.Id);
            e.HasIndex(m => m.TenantId);
        });
        builder.Entity<OrganisationPlanRow>(e =>
        {
            e.ToTable("OrganisationPlans");
            e.HasKey(p => p.TenantId);
        });
        builder.Entity<OrganisationBrandingRow>(e =>
        {
            e.ToTable("OrganisationBranding");
            e.HasKey(b => b.TenantId);
        });
        builder.Entity<ReportRow>(e =>
        {
            e.ToTable("Reports");
            e.HasKey(r => r.Id);
            e.HasIndex(r => r.TenantId);
        });
        builder.Entity<ReportSendRow>(e =>
        {
            e.ToTable("ReportSends");
            e.HasKey(s => s.Id);
            e.HasIndex(s => new { s.TenantId, s.ReportId, s.StartedAt });
            e.HasIndex(s => new { s.Status, s.NextAttemptAt });
            e.HasIndex(s => new { s.Status, s.LeaseUntil });
        });
        builder.Entity<AuditRow>(e =>
        {
            e.ToTable(AuditTable);
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).ValueGeneratedOnAdd();
            e.HasIndex(a => new { a.TenantId, a.Id });
        });
        builder.Entity<LegacyImportRow>(e =>
        {
            e.ToTable("LegacyImports");
            e.HasKey(l => l.Source);
        });
        Imports.ImportRows.Configure(builder);
        SalesDash.Web.Warehouse.WarehouseModel.Configure(builder);
        SalesDash.Web.Goals.GoalRow.Configure(builder);
        Onboarding.OnboardingModel.Configure(builder);
        Alerts.AlertPauses.Configure(builder);
        Alerts.AlertSnoozes.Configure(builder);
        Alerts.StoreTradingHours.Configure(builder);
        SalesDash.Web.Benchmarks.BenchmarkModel.Configure(builder);
        SalesDash.Web.Recommendations.RecommendationsApi.Configure(builder);
        SalesDash.Web.Stores.StoreLifecycle.Configure(builder);
        SalesDash.Web.Push.PushModel.Configure(builder);
    }
}

/// <summary>Stored times: UTC, to the microsecond (PostgreSQL's precision), so a value reads back as it was written.</summary>
public static class StoredTime
{
    public static DateTime From(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTime(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);
    }

    public static DateTime? From(DateTimeOffset? at) => at is { } a ? From(a) : null;

    public static DateTimeOffset To(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    public static DateTimeOffset? To(DateTime? at) => at is { } a ? To(a) : null;

    /// <summary>The instant as it will read back: what a store returns for a time it has just written.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => To(From(at));
}
