using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A local stand-in for Meta's Graph API on a loopback port: the ad account answers to <see cref="GoodToken"/> only (any
/// other token gets Graph's error 190, "Invalid OAuth access token"), and its insights report one campaign's spend yesterday
/// (inside "last 30 days", which, like every history period, ends at the start of today).
/// </summary>
public sealed class FakeGraphApi : IAsyncDisposable
{
    public const string GoodToken = "EAAB-e2e-good-token";
    public const string AccountId = "1234567890";
    public const string AccountName = "E2E Ads";
    public const decimal SpendYesterday = 12.34m;

    private readonly HttpListener listener = new();
    // HttpListener's Stop does not end a GetContextAsync that registers while Stop runs (on Linux its state check is
    // outside Stop's lock and Stop drains its waiters before marking itself stopped), so such a wait, and the test's
    // dispose awaiting this loop, never ended; ci44 lost 10 minutes to it. The loop is stopped by this token instead.
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;

    public FakeGraphApi()
    {
        // HttpListener needs a port up front: borrow a free one from the OS.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        listener.Prefixes.Add(BaseAddress.AbsoluteUri);
        listener.Start();
        loop = ServeAsync();
    }

    public Uri BaseAddress { get; }

    private async Task ServeAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().WaitAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var (status, body) = Answer(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static (int Status, string Body) Answer(HttpListenerRequest request)
    {
        if (request.Headers["Authorization"] != $"Bearer {GoodToken}")
        {
            return (400, """{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"e2e"}}""");
        }

        var path = request.Url!.AbsolutePath;
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        if (path.EndsWith($"/act_{AccountId}/insights", StringComparison.Ordinal))
        {
            return (200, $$"""{"data":[{"campaign_id":"c-1","campaign_name":"Black Friday","spend":"{{SpendYesterday.ToString(System.Globalization.CultureInfo.InvariantCulture)}}","clicks":"40","impressions":"1000","account_currency":"USD","date_start":"{{yesterday}}","date_stop":"{{yesterday}}"}]}""");
        }

        return path.EndsWith($"/act_{AccountId}", StringComparison.Ordinal)
            ? (200, $$"""{"id":"act_{{AccountId}}","name":"{{AccountName}}","currency":"USD"}""")
            : (404, """{"error":{"message":"Unknown path","type":"GraphMethodException","code":100}}""");
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Close();
        await loop;
        stopping.Dispose();
    }
}
