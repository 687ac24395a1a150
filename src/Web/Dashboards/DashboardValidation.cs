using System.Text.RegularExpressions;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Dashboards;

/// <summary>
/// The widget palette as the server knows it, and the rules a dashboard must meet before it is stored. The same
/// catalogue lives in the client (ClientApp/src/features/boards/catalogue.ts); a widget the server would refuse is
/// never offered there. Top products, the order map and the live order feed read today's history of each store
/// (<see cref="WidgetDataApi"/>), the alerts list and the forecast their own APIs; the rest are figures the live tiles carry.
/// </summary>
public static partial class DashboardValidation
{
    /// <summary>Columns of the grid; react-grid-layout's default and what the editor uses.</summary>
    public const int GridColumns = 12;

    public const int MaxNameLength = 80;
    public const int MaxWidgets = 40;
    public const int MaxHeight = 24;

    /// <summary>Far below anything a screen shows, but stops a client from storing absurd coordinates.</summary>
    public const int MaxRow = 1000;

    public static readonly IReadOnlySet<string> Kinds = new HashSet<string>(StringComparer.Ordinal) { "kpi", "chart", "ranking", "goal", "top-products", "order-map", "order-feed", "alerts", "forecast", "insights", "visitors", "saved-goal", "peers" };

    public static readonly IReadOnlySet<string> Periods = new HashSet<string>(StringComparer.Ordinal) { "today", "last-60-minutes", "last-15-minutes" };

    /// <summary>Every tile of today's figures.</summary>
    public static readonly IReadOnlySet<string> TodayMetrics = new HashSet<string>(StringComparer.Ordinal)
    {
        "gross-revenue", "net-revenue", "refunds", "orders", "average-order-value", "units-sold", "new-customers", "returning-customers",
    };

    /// <summary>What the last hour's revenue-per-minute series can give: it carries revenue and orders only.</summary>
    public static readonly IReadOnlySet<string> MinuteMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue", "orders", "average-order-value" };

    public static readonly IReadOnlySet<string> ChartTypes = new HashSet<string>(StringComparer.Ordinal) { "line", "area", "bar" };

    private static readonly IReadOnlySet<string> GoalMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue", "net-revenue", "orders", "units-sold" };

    /// <summary>Top products rank by revenue or by units; the order map shades countries by revenue or by orders.</summary>
    private static readonly IReadOnlySet<string> TopProductMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue", "units-sold" };

    private static readonly IReadOnlySet<string> MapMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue", "orders" };

    /// <summary>The forecast is of gross revenue (src/Engine/Forecasts).</summary>
    private static readonly IReadOnlySet<string> ForecastMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue" };

    /// <summary>The feed lists orders and the alerts list alerts; neither has a figure to choose.</summary>
    private static readonly IReadOnlySet<string> FeedMetrics = new HashSet<string>(StringComparer.Ordinal) { "orders" };

    /// <summary>"You vs peers" compares one of the peer benchmark metrics (src/Web/Benchmarks).</summary>
    private static readonly IReadOnlySet<string> PeerMetrics = new HashSet<string>(Benchmarks.PeerBenchmarks.WidgetMetrics.Keys, StringComparer.Ordinal);

    private static readonly IReadOnlySet<string> ChartMetrics = new HashSet<string>(StringComparer.Ordinal) { "gross-revenue", "orders" };

    /// <summary>Checks a dashboard; an empty answer means it may be stored. Keys name the offending field.</summary>
    public static Dictionary<string, string[]> Validate(DashboardInput? input)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string key, string message)
        {
            if (!errors.TryGetValue(key, out var list))
            {
                errors[key] = list = [];
            }

            list.Add(message);
        }

        if (input is null)
        {
            Add("body", "A dashboard needs a name, a layout and widgets.");
            return Freeze(errors);
        }

        ValidateName(input.Name, Add);

        var widgets = input.Widgets ?? [];
        if (input.Widgets is null)
        {
            Add("widgets", "Widgets are required (an empty list is fine).");
        }
        else if (widgets.Count > MaxWidgets)
        {
            Add("widgets", $"A dashboard holds at most {MaxWidgets} widgets.");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < widgets.Count; i++)
        {
            var widget = widgets[i];
            var at = $"widgets[{i}]";
            if (widget is null)
            {
                Add(at, "A widget is missing.");
                continue;
            }

            if (string.IsNullOrEmpty(widget.Id) || !IdPattern().IsMatch(widget.Id))
            {
                Add($"{at}.id", "A widget id is 1 to 40 letters, digits, '-' or '_'.");
            }
            else if (!ids.Add(widget.Id))
            {
                Add($"{at}.id", $"Widget id '{widget.Id}' is used twice.");
            }

            if (widget.Title is { Length: > MaxNameLength })
            {
                Add($"{at}.title", $"A widget title is at most {MaxNameLength} characters.");
            }

            if (widget.Kind is null || !Kinds.Contains(widget.Kind))
            {
                Add($"{at}.kind", $"Kind must be one of {string.Join(", ", Kinds)}.");
                continue;
            }

            if (widget.Settings is null)
            {
                Add($"{at}.settings", "Settings are required.");
                continue;
            }

            ValidateSettings(widget.Kind, widget.Settings, $"{at}.settings", Add);
        }

        var layout = input.Layout ?? [];
        if (input.Layout is null)
        {
            Add("layout", "A layout is required (an empty list is fine).");
        }

        var placed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < layout.Count; i++)
        {
            var item = layout[i];
            var at = $"layout[{i}]";
            if (item is null)
            {
                Add(at, "A layout item is missing.");
                continue;
            }

            if (item.I is null || !ids.Contains(item.I))
            {
                Add($"{at}.i", $"Layout item '{item.I}' names no widget.");
            }
            else if (!placed.Add(item.I))
            {
                Add($"{at}.i", $"Widget '{item.I}' is placed twice.");
            }

            if (item.W is < 1 or > GridColumns)
            {
                Add($"{at}.w", $"Width is 1 to {GridColumns} columns.");
            }

            if (item.H is < 1 or > MaxHeight)
            {
                Add($"{at}.h", $"Height is 1 to {MaxHeight} rows.");
            }

            if (item.X < 0 || item.X + Math.Max(item.W, 1) > GridColumns)
            {
                Add($"{at}.x", $"The widget must fit inside the {GridColumns} columns.");
            }

            if (item.Y is < 0 or > MaxRow)
            {
                Add($"{at}.y", $"Row is 0 to {MaxRow}.");
            }
        }

        foreach (var id in ids.Where(id => !placed.Contains(id)))
        {
            Add("layout", $"Widget '{id}' has no place in the layout.");
        }

        return Freeze(errors);
    }

    /// <summary>Checks a dashboard name on its own, as a rename or duplicate does.</summary>
    public static void ValidateName(string? name, Action<string, string> add)
    {
        ArgumentNullException.ThrowIfNull(add);
        if (string.IsNullOrWhiteSpace(name))
        {
            add("name", "A dashboard needs a name.");
        }
        else if (name.Trim().Length > MaxNameLength)
        {
            add("name", $"A name is at most {MaxNameLength} characters.");
        }
    }

    private static void ValidateSettings(string kind, WidgetSettings settings, string at, Action<string, string> add)
    {
        if (settings.Period is null || !Periods.Contains(settings.Period))
        {
            add($"{at}.period", $"Period must be one of {string.Join(", ", Periods)}.");
            return;
        }

        var today = settings.Period == "today";
        var allowedMetrics = kind switch
        {
            "chart" => ChartMetrics,
            "goal" => GoalMetrics,
            "top-products" => TopProductMetrics,
            "order-map" => MapMetrics,
            // A saved goal (src/Web/Goals) brings its own metric, and so do visitors, sources and conversion from GA4 (src/Web/Visitors).
            "order-feed" or "alerts" or "visitors" or "saved-goal" => FeedMetrics,
            "forecast" or "insights" => ForecastMetrics,
            "peers" => PeerMetrics,
            _ => today ? TodayMetrics : MinuteMetrics,
        };
        // A custom metric (src/Web/Metrics) is computed from today's history, as a figure (kpi) or hour by hour (chart).
        var custom = settings.Metric?.StartsWith(Metrics.MetricsApi.WidgetPrefix, StringComparison.Ordinal) == true;
        if (custom)
        {
            if (kind is not ("kpi" or "chart"))
            {
                add($"{at}.metric", "A custom metric can be shown by a kpi or a chart widget.");
            }
            else if (!today)
            {
                add($"{at}.period", "A custom metric is shown for today.");
            }
            else if (!IdPattern().IsMatch(settings.Metric![Metrics.MetricsApi.WidgetPrefix.Length..]))
            {
                add($"{at}.metric", "A custom metric is named custom:<metric id>.");
            }
        }
        else if (settings.Metric is null || !allowedMetrics.Contains(settings.Metric))
        {
            add($"{at}.metric", $"For a {kind} widget over '{settings.Period}' the metric is one of {string.Join(", ", allowedMetrics)}.");
        }

        var comparisonAllowed = today && kind is "kpi" or "ranking" && !custom;
        if (settings.Comparison is not ("none" or "last-week"))
        {
            add($"{at}.comparison", "Comparison is 'none' or 'last-week'.");
        }
        else if (settings.Comparison == "last-week" && !comparisonAllowed)
        {
            add($"{at}.comparison", "Same time last week is known for today's figures only.");
        }

        if (settings.Channel is not null && !Enum.TryParse<SalesChannel>(settings.Channel, ignoreCase: false, out _))
        {
            add($"{at}.channel", $"Channel must be one of {string.Join(", ", Enum.GetNames<SalesChannel>())}, or left out for every channel.");
        }

        switch (kind)
        {
            case "chart":
                if (today && !custom)
                {
                    add($"{at}.period", "A chart shows the last 60 or 15 minutes, minute by minute.");
                }

                if (settings.ChartType is null || !ChartTypes.Contains(settings.ChartType))
                {
                    add($"{at}.chartType", $"Chart type must be one of {string.Join(", ", ChartTypes)}.");
                }

                break;
            case "goal":
                if (!today)
                {
                    add($"{at}.period", "A goal tracks today's figure.");
                }

                if (settings.Target is not > 0m || settings.Target > 1_000_000_000_000m)
                {
                    add($"{at}.target", "A goal needs a target above zero.");
                }

                if (settings.TargetLabel is { Length: > 60 })
                {
                    add($"{at}.targetLabel", "A target label is at most 60 characters.");
                }

                break;
            case "saved-goal":
                // A widget just added has no goal yet and says "Choose a goal"; the board must save meanwhile.
                if (settings.GoalId is not null && !IdPattern().IsMatch(settings.GoalId))
                {
                    add($"{at}.goalId", "A saved-goal widget shows one goal from the Goals page: its goalId is not a goal's id.");
                }

                break;
            case "peers" when settings.Channel is not null:
                add($"{at}.channel", "Peers are compared on the whole organisation's figures, not one channel's.");
                break;
            case "top-products" or "order-map" or "order-feed" or "alerts" or "forecast" or "insights" or "visitors" or "peers":
                if (!today)
                {
                    add($"{at}.period", "This widget shows today's orders.");
                }

                break;
        }
    }

    private static Dictionary<string, string[]> Freeze(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,40}$")]
    private static partial Regex IdPattern();
}
