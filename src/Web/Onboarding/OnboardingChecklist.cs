using SalesDash.Web.Dashboards;

namespace SalesDash.Web.Onboarding;

/// <summary>One step of the checklist as the page shows it.</summary>
public sealed record OnboardingStep(string Id, string Title, bool Done, string Detail);

/// <summary>A dashboard template a new organisation can start from.</summary>
public sealed record DashboardTemplate(string Id, string Name, string Description);

/// <summary>What the checklist is made from: facts about the organisation, read by <see cref="OnboardingService"/>.</summary>
public sealed record OnboardingFacts(
    int Stores,
    IReadOnlyList<string>? TrackedMetrics,
    string? TemplateId,
    string? DashboardId,
    DateTimeOffset? LiveAt);

/// <summary>The checklist: its steps in order, the first one not done, the choices the page offers.</summary>
public sealed record OnboardingChecklist(
    string TenantId,
    IReadOnlyList<OnboardingStep> Steps,
    string? Next,
    bool Complete,
    IReadOnlyList<string> TrackedMetrics,
    string? TemplateId,
    string? DashboardId,
    IReadOnlyList<string> MetricChoices,
    IReadOnlyList<DashboardTemplate> Templates);

/// <summary>
/// The onboarding checklist as pure functions (sign up → connect a channel → choose what to track → pick a dashboard
/// template → live): which steps are done given the facts, and the dashboard a template makes from the tracked metrics.
/// </summary>
public static class OnboardingSteps
{
    public const string SignUp = "sign-up";
    public const string ConnectChannel = "connect-channel";
    public const string ChooseTracking = "choose-tracking";
    public const string PickTemplate = "pick-template";
    public const string Live = "live";

    /// <summary>The today-figures a person can choose to track, in the order tiles are shown.</summary>
    public static IReadOnlyList<string> MetricChoices { get; } =
        ["gross-revenue", "orders", "average-order-value", "net-revenue", "refunds", "units-sold", "new-customers", "returning-customers"];

    public static IReadOnlyList<DashboardTemplate> Templates { get; } =
    [
        new("essentials", "Essentials", "A tile per tracked figure with last week beside it, revenue minute by minute and the order feed."),
        new("wallboard", "Wallboard", "Large tiles for the tracked figures and the last hour's revenue, for a screen on the wall."),
        new("focus", "Focus", "Just the tracked figures, with last week beside them."),
    ];

    public static OnboardingChecklist Evaluate(string tenantId, OnboardingFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var tracked = facts.TrackedMetrics ?? [];
        var template = facts.TemplateId is { } id ? Templates.FirstOrDefault(t => t.Id == id) : null;
        IReadOnlyList<OnboardingStep> steps =
        [
            // Whoever reads the checklist has an account and an organisation: signing up is what made them.
            new(SignUp, "Sign up", true, "Your account and organisation are ready."),
            new(ConnectChannel, "Connect a channel", facts.Stores > 0,
                facts.Stores > 0 ? $"{facts.Stores} store(s) connected." : "Install the Shopify app, or connect a store by webhook."),
            new(ChooseTracking, "Choose what to track", tracked.Count > 0,
                tracked.Count > 0 ? $"Tracking {string.Join(", ", tracked)}." : "Pick the figures you watch every day."),
            new(PickTemplate, "Pick a dashboard template", template is not null,
                template is not null ? $"Your dashboard starts from {template.Name}." : "Start your dashboard from a template."),
            new(Live, "Live", facts.LiveAt is not null,
                facts.LiveAt is { } at ? $"First order received {at:u}." : "Waiting for the first order to arrive."),
        ];
        var next = steps.FirstOrDefault(s => !s.Done)?.Id;
        return new(tenantId, steps, next, next is null, tracked, facts.TemplateId, facts.DashboardId, MetricChoices, Templates);
    }

    /// <summary>The problem with a choice of metrics, or null when it can be stored.</summary>
    public static string? CheckMetrics(IReadOnlyList<string>? metrics)
    {
        if (metrics is null || metrics.Count == 0)
        {
            return "Choose at least one figure to track.";
        }

        var unknown = metrics.Where(m => !MetricChoices.Contains(m, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            return $"'{string.Join("', '", unknown)}' cannot be tracked; choose from {string.Join(", ", MetricChoices)}.";
        }

        return metrics.Distinct(StringComparer.Ordinal).Count() == metrics.Count ? null : "Each figure is chosen once.";
    }

    /// <summary>The dashboard <paramref name="templateId"/> makes for these metrics; null for an unknown template.</summary>
    public static DashboardInput? Build(string templateId, IReadOnlyList<string> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var template = Templates.FirstOrDefault(t => t.Id == templateId);
        if (template is null)
        {
            return null;
        }

        var widgets = new List<Widget>();
        var layout = new List<LayoutItem>();
        // Tiles fill rows of the 12-column grid: three per row (four wide), or two per row on a wallboard (six wide).
        var (tileWidth, tileHeight) = templateId == "wallboard" ? (6, 4) : (4, 2);
        var perRow = 12 / tileWidth;
        for (var i = 0; i < metrics.Count; i++)
        {
            var id = "kpi-" + metrics[i];
            widgets.Add(new Widget(id, "kpi", null, new WidgetSettings(metrics[i], "today", templateId == "wallboard" ? "none" : "last-week")));
            layout.Add(new LayoutItem(id, i % perRow * tileWidth, i / perRow * tileHeight, tileWidth, tileHeight));
        }

        var y = (metrics.Count + perRow - 1) / perRow * tileHeight;
        if (templateId is "essentials" or "wallboard")
        {
            widgets.Add(new Widget("revenue-chart", "chart", "Revenue, last hour", new WidgetSettings("gross-revenue", "last-60-minutes", "none", ChartType: "area")));
            layout.Add(new LayoutItem("revenue-chart", 0, y, templateId == "wallboard" ? 12 : 8, 4));
        }

        if (templateId == "essentials")
        {
            widgets.Add(new Widget("order-feed", "order-feed", "Latest orders", new WidgetSettings("orders", "today", "none")));
            layout.Add(new LayoutItem("order-feed", 8, y, 4, 4));
        }

        return new DashboardInput("My dashboard", layout, widgets);
    }
}
