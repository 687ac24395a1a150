using SalesDash.Web.Stores;

namespace SalesDash.Web.Dashboards;

/// <summary>Where a widget sits on the 12-column grid, in grid units; <see cref="I"/> is the widget's id (react-grid-layout's name).</summary>
public sealed record LayoutItem(string I, int X, int Y, int W, int H);

/// <summary>
/// What a widget shows. Which combinations are allowed depends on the widget kind and is checked by
/// <see cref="DashboardValidation"/>; <see cref="Channel"/> null means every channel of the organisation.
/// </summary>
public sealed record WidgetSettings(
    string Metric,
    string Period,
    string Comparison,
    string? Channel = null,
    string? ChartType = null,
    decimal? Target = null,
    string? TargetLabel = null,
    string? GoalId = null);

/// <summary>One widget of a dashboard: its kind from the palette, an optional title and its settings.</summary>
public sealed record Widget(string Id, string Kind, string? Title, WidgetSettings Settings);

/// <summary>What a client sends to create or replace a dashboard.</summary>
public sealed record DashboardInput(string Name, IReadOnlyList<LayoutItem> Layout, IReadOnlyList<Widget> Widgets);

/// <summary>A saved dashboard of one organisation.</summary>
public sealed record Dashboard(
    string Id,
    string TenantId,
    string Name,
    IReadOnlyList<LayoutItem> Layout,
    IReadOnlyList<Widget> Widgets,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A row of the dashboard list.</summary>
public sealed record DashboardSummary(string Id, string Name, int WidgetCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Optional body of a duplicate request; without a name the copy is called "… (copy)".</summary>
public sealed record DuplicateInput(string? Name);

/// <summary>
/// The answer to creating a share link. The token is shown this once: the server keeps only its SHA-256,
/// so a leaked database cannot be turned into working links.
/// </summary>
public sealed record ShareLinkCreated(string Id, string Token, string Url, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null);

/// <summary>Optional body of a share request: when the link stops working (none: until revoked).</summary>
public sealed record ShareLinkInput(DateTimeOffset? ExpiresAt);

/// <summary>A share link as listed for its dashboard, without the token.</summary>
public sealed record ShareLink(string Id, string DashboardId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? ExpiresAt = null);

/// <summary>
/// What a wallboard holding a share link may see: the dashboard, the stores its widgets draw on, and the branding
/// in force for the organisation (its own when its plan includes white-label).
/// </summary>
public sealed record WallView(string TenantId, Dashboard Dashboard, IReadOnlyList<StoreSummary> Stores, Plans.Branding? Branding = null);
