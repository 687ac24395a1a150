using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Browser;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>Pages at a chosen size and colour scheme, dashboards made through the API, and axe-core checks.</summary>
public static class LayoutSupport
{
    public static readonly float Timeout = (float)DashboardPage.DefaultTimeout.TotalMilliseconds;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A fresh, isolated page (no cookies, no storage) at the given viewport.</summary>
    public static async Task<IPage> NewPageAsync(ChromiumBrowser browser, int width = 1440, int height = 900, ColorScheme colorScheme = ColorScheme.Dark)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-US",
            TimezoneId = "UTC",
            ColorScheme = colorScheme,
            IsMobile = width < 600,
            HasTouch = width < 600,
            // Cells slide into place over 200 ms after every layout change (react-grid-layout), so a box read just after
            // a reload could be mid-slide: the tests measure where cells are, not how they move, so motion is off.
            ReducedMotion = ReducedMotion.Reduce,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        return page;
    }

    /// <summary>Creates a dashboard through the API and returns its id.</summary>
    public static async Task<string> CreateDashboardAsync(HttpClient http, string tenantId, string name, JsonArray layout, JsonArray widgets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        var body = new JsonObject { ["name"] = name, ["layout"] = layout, ["widgets"] = widgets };
        using var response = await http.PostAsJsonAsync($"api/tenants/{tenantId}/dashboards", body, cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(cancellationToken));
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken);
        return created.GetProperty("id").GetString()!;
    }

    public static async Task<JsonElement> GetDashboardAsync(HttpClient http, string tenantId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        return await http.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}/dashboards/{id}", Json, cancellationToken);
    }

    public static JsonObject Widget(string id, string kind, string metric, string period = "today", string comparison = "none",
        string? channel = null, string? chartType = null, decimal? target = null, string? title = null) => new()
    {
        ["id"] = id,
        ["kind"] = kind,
        ["title"] = title,
        ["settings"] = new JsonObject
        {
            ["metric"] = metric,
            ["period"] = period,
            ["comparison"] = comparison,
            ["channel"] = channel,
            ["chartType"] = chartType,
            ["target"] = target,
            ["targetLabel"] = target is null ? null : "Black Friday target",
        },
    };

    public static JsonObject Cell(string id, int x, int y, int w, int h) => new() { ["i"] = id, ["x"] = x, ["y"] = y, ["w"] = w, ["h"] = h };

    /// <summary>
    /// Runs axe-core (from the front end's node_modules, injected into the page) and returns the serious and
    /// critical violations as readable lines; an empty list means none.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var axe = RepositoryRoot.Combine("src", "Web", "ClientApp", "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(axe))
        {
            throw new InvalidOperationException($"{axe} is missing: run npm ci in src/Web/ClientApp (./test.sh does).");
        }

        await page.AddScriptTagAsync(new() { Path = axe });
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
            }
            """);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        var path = RepositoryRoot.Combine("artifacts", "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }
}
