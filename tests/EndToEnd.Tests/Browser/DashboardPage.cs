using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Browser;

/// <summary>
/// One store's dashboard as a person sees it in the browser. Tiles are read from their <c>data-value</c>
/// attribute (the exact raw number), so assertions do not depend on how the figure is formatted for display.
/// </summary>
public sealed class DashboardPage : IAsyncDisposable
{
    /// <summary>Generous for a 2-core CI machine that is also running the server and the browser.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly IPage page;
    private readonly List<string> console = [];

    private DashboardPage(IPage page)
    {
        this.page = page;
        page.Console += (_, message) => { lock (console) { console.Add($"[{message.Type}] {message.Text}"); } };
        page.PageError += (_, error) => { lock (console) { console.Add($"[pageerror] {error}"); } };
    }

    public static async Task<DashboardPage> OpenAsync(ChromiumBrowser browser, SalesDashApp app, TestStore store)
    {
        var dashboard = new DashboardPage(await browser.NewPageAsync());
        await dashboard.page.SignInAsync(app);
        var response = await dashboard.page.GotoAsync(new Uri(app.BaseAddress, store.DashboardPath.TrimStart('/')).ToString());
        if (response is null || !response.Ok)
        {
            throw new InvalidOperationException($"{store.DashboardPath} answered {response?.Status}: {await dashboard.page.ContentAsync()}");
        }

        return dashboard;
    }

    /// <summary>Waits until the connection badge says "Live", i.e. the page is subscribed to pushes.</summary>
    public async Task WaitUntilLiveAsync()
    {
        try
        {
            await Assertions.Expect(page.GetByTestId("connection-status"))
                .ToHaveTextAsync("Live", new() { Timeout = (float)DefaultTimeout.TotalMilliseconds });
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"The dashboard never showed \"Live\". Browser console:\n{ConsoleText()}", e);
        }
    }

    /// <summary>The raw number a tile shows now, e.g. <c>TileValueAsync("gross-revenue")</c>.</summary>
    public async Task<decimal?> TileValueAsync(string tile)
    {
        var raw = await page.GetByTestId($"tile-{tile}-value").GetAttributeAsync("data-value", new() { Timeout = (float)DefaultTimeout.TotalMilliseconds });
        return decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Waits until a tile shows exactly <paramref name="expected"/>; fails with the last value seen.</summary>
    public async Task WaitForTileAsync(string tile, decimal expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        decimal? seen = null;
        while (clock.Elapsed < DefaultTimeout)
        {
            seen = await TileValueAsync(tile);
            if (seen == expected)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new Xunit.Sdk.XunitException(
            $"Tile {tile} shows {seen?.ToString(CultureInfo.InvariantCulture) ?? "nothing"} after {DefaultTimeout.TotalSeconds:0}s, " +
            $"expected {expected.ToString(CultureInfo.InvariantCulture)}. Browser console:\n{ConsoleText()}");
    }

    /// <summary>
    /// Waits until the figure a person reads on a tile contains <paramref name="expectedText"/> (e.g. "1,508.10"):
    /// the shown number counts up to the new value, so it settles a moment after <c>data-value</c> changes.
    /// </summary>
    public async Task WaitForTileTextAsync(string tile, string expectedText)
    {
        try
        {
            await Assertions.Expect(page.GetByTestId($"tile-{tile}-value"))
                .ToContainTextAsync(expectedText, new() { Timeout = (float)DefaultTimeout.TotalMilliseconds });
        }
        catch (PlaywrightException e)
        {
            throw new Xunit.Sdk.XunitException($"Tile {tile} never read \"{expectedText}\": {e.Message}");
        }
    }

    /// <summary>Waits until the line under a tile's figure (what the figure leaves out) reads <paramref name="expectedText"/>.</summary>
    public async Task WaitForTileNoteAsync(string tile, string expectedText) =>
        await Assertions.Expect(page.GetByTestId($"tile-{tile}-note"))
            .ToHaveTextAsync(expectedText, new() { Timeout = (float)DefaultTimeout.TotalMilliseconds });

    /// <summary>Saves a full-page screenshot, creating the folder if needed.</summary>
    public async Task ScreenshotAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
    }

    public async ValueTask DisposeAsync() => await page.Context.CloseAsync();

    private string ConsoleText()
    {
        lock (console)
        {
            return console.Count == 0 ? "(empty)" : string.Join('\n', console);
        }
    }
}
