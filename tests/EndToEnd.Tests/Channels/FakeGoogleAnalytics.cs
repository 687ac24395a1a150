using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A local stand-in for Google's token endpoint and the GA4 Data API on a loopback port. runReport answers as the Data
/// API reference shows: the hourly sessions report with one row, and the daily users report with yesterday's traffic from
/// google / cpc (<see cref="AdsUsers"/> users, 150 sessions, 6 key events) and (direct) / (none).
/// </summary>
public sealed class FakeGoogleAnalytics : IAsyncDisposable
{
    public const string PropertyId = "987654321";
    public const int AdsUsers = 120;

    private readonly HttpListener listener = new();
    private readonly Task loop;

    public FakeGoogleAnalytics()
    {
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

    public Uri TokenEndpoint => new(BaseAddress, "token");

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var (status, body) = Answer(context.Request, await reader.ReadToEndAsync());
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private static (int Status, string Body) Answer(HttpListenerRequest request, string body)
    {
        var path = request.Url!.AbsolutePath;
        if (path == "/token")
        {
            return (200, """{"access_token":"ya29.e2e","expires_in":3599,"scope":"https://www.googleapis.com/auth/analytics.readonly","token_type":"Bearer"}""");
        }

        if (request.Headers["Authorization"] != "Bearer ya29.e2e")
        {
            return (401, """{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}""");
        }

        var yesterday = DateTime.UtcNow.AddDays(-1);
        if (path == $"/v1beta/properties/{PropertyId}:runReport" && body.Contains("sessionMedium", StringComparison.Ordinal))
        {
            var day = yesterday.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            return (200, $$"""
                {"dimensionHeaders":[{"name":"date"},{"name":"sessionSource"},{"name":"sessionMedium"}],
                 "metricHeaders":[{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"activeUsers","type":"TYPE_INTEGER"},{"name":"sessions","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
                 "rows":[
                  {"dimensionValues":[{"value":"{{day}}"},{"value":"google"},{"value":"cpc"}],"metricValues":[{"value":"{{AdsUsers}}"},{"value":"100"},{"value":"150"},{"value":"6"}]},
                  {"dimensionValues":[{"value":"{{day}}"},{"value":"(direct)"},{"value":"(none)"}],"metricValues":[{"value":"30"},{"value":"25"},{"value":"40"},{"value":"1"}]}],
                 "rowCount":2,"kind":"analyticsData#runReport"}
                """);
        }

        if (path == $"/v1beta/properties/{PropertyId}:runReport")
        {
            var hour = yesterday.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "10";
            return (200, $$"""
                {"dimensionHeaders":[{"name":"dateHour"},{"name":"sessionSource"}],
                 "metricHeaders":[{"name":"sessions","type":"TYPE_INTEGER"},{"name":"totalUsers","type":"TYPE_INTEGER"},{"name":"keyEvents","type":"TYPE_FLOAT"}],
                 "rows":[{"dimensionValues":[{"value":"{{hour}}"},{"value":"google"}],"metricValues":[{"value":"2"},{"value":"2"},{"value":"0"}]}],
                 "rowCount":1,"kind":"analyticsData#runReport"}
                """);
        }

        return (404, """{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}""");
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
