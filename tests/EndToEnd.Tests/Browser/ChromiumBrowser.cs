using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(SalesDash.EndToEnd.Tests.Browser.ChromiumBrowser))]

namespace SalesDash.EndToEnd.Tests.Browser;

/// <summary>
/// Debian's headless Chromium driven by Playwright, one per test run. The browser is never downloaded:
/// ./test.sh installs the chromium package, and Playwright's driver ships inside its NuGet package.
/// </summary>
public sealed class ChromiumBrowser : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium package (./test.sh does).");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox: CI runs as root, where Chromium refuses its sandbox. The rest keeps it off the network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A fresh, isolated page at desktop size.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1440, Height = 900 },
            // Fixed so figures and dates print the same on every machine.
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
