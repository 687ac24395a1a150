using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace SalesDash.Web.Reports;

/// <summary>
/// Prints HTML to PDF with the system's headless Chromium through Playwright. One browser is launched on first use and
/// reused (relaunched if it dies); each render gets its own context and page, closed afterwards, and the whole render
/// is bounded by <see cref="ReportOptions.RenderTimeout"/>.
/// </summary>
public sealed class ReportPdfPrinter(IOptions<ReportOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _launch = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<byte[]> PrintAsync(string html, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(html);
        var settings = options.Value;
        var browser = await BrowserAsync(settings, cancellationToken);
        var timeout = (float)settings.RenderTimeout.TotalMilliseconds;
        await using var context = await browser.NewContextAsync(new() { Locale = "en-GB", JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(timeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.RenderTimeout);
        try
        {
            await page.SetContentAsync(html, new() { WaitUntil = WaitUntilState.Load, Timeout = timeout }).WaitAsync(deadline.Token);
            return await page.PdfAsync(new()
            {
                Format = "A4",
                PrintBackground = true,
                Margin = new() { Top = "12mm", Bottom = "12mm", Left = "0", Right = "0" },
            }).WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Printing the report took longer than {settings.RenderTimeout.TotalSeconds:0} s.");
        }
    }

    private async Task<IBrowser> BrowserAsync(ReportOptions settings, CancellationToken cancellationToken)
    {
        if (_browser is { IsConnected: true } ready)
        {
            return ready;
        }

        await _launch.WaitAsync(cancellationToken);
        try
        {
            if (_browser is { IsConnected: true } launched)
            {
                return launched;
            }

            if (!File.Exists(settings.ChromiumPath))
            {
                throw new InvalidOperationException(
                    $"Reports:ChromiumPath '{settings.ChromiumPath}' does not exist: install Chromium (Debian's chromium package) or point the setting at it.");
            }

            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            _playwright ??= await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = settings.ChromiumPath,
                Headless = true,
                Timeout = (float)settings.RenderTimeout.TotalMilliseconds,
                // No sandbox: containers and CI run as root, where Chromium refuses it. A report page never loads anything remote.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return _browser;
        }
        finally
        {
            _launch.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        _launch.Dispose();
    }
}
