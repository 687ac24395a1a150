using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Web.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Channels;

/// <summary>
/// The shared <see cref="SalesDashHost"/> with the scheduler off (tests sync on demand), EUR reporting with a configured
/// EUR/USD rate, and every outbound channel call answered by <see cref="Upstream"/>, so nothing leaves the machine.
/// </summary>
public sealed class ChannelsAppFactory() : SalesDashHost(Defaults)
{
    /// <summary>The options of this host, for a test that needs a host of its own with one more change.</summary>
    public static SalesDashHostOptions Defaults => new() { Settings = Settings };

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Channels:SchedulerEnabled"] = "false",
        ["Channels:ReportingCurrency"] = "EUR",
        ["Channels:ExchangeRates:0:From"] = "EUR",
        ["Channels:ExchangeRates:0:To"] = "USD",
        ["Channels:ExchangeRates:0:Date"] = "2026-11-20",
        ["Channels:ExchangeRates:0:Rate"] = "1.25",
        ["Channels:ExchangeRates:0:Source"] = "ECB reference rate",
    };

    public FakeUpstream Upstream { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Upstream);
}

/// <summary>Answers outbound channel calls by host and path prefix; unknown calls get 404.</summary>
public sealed class FakeUpstream : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<HttpRequestMessage, HttpResponseMessage>> _routes = new();

    public void On(string hostAndPath, Func<HttpRequestMessage, HttpResponseMessage> answer) => _routes[hostAndPath] = answer;

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = request.RequestUri!.Host + request.RequestUri.AbsolutePath;
        var route = _routes.Where(r => key.StartsWith(r.Key, StringComparison.Ordinal)).OrderByDescending(r => r.Key.Length).Select(r => r.Value).FirstOrDefault();
        var response = route?.Invoke(request) ?? new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("no route") };
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
