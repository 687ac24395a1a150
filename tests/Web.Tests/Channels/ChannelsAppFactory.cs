using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Engine.History;
using SalesDash.Web.Channels;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Channels;

/// <summary>
/// The whole app with the test stores, a frozen clock, the scheduler off (tests sync on demand) and every outbound channel
/// call answered by <see cref="Upstream"/>, so nothing leaves the machine.
/// </summary>
public sealed class ChannelsAppFactory : WebApplicationFactory<Program>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-channels-").FullName;

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    public FakeUpstream Upstream { get; } = new();

    public string DataDirectory => _dataDirectory;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Demo:Enabled", "false");
        // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
        builder.UseSetting("Plans:SelfHosted", "true");
        builder.UseSetting("Channels:SchedulerEnabled", "false");
        builder.UseSetting("Channels:ReportingCurrency", "EUR");
        builder.UseSetting("Channels:ExchangeRates:0:From", "EUR");
        builder.UseSetting("Channels:ExchangeRates:0:To", "USD");
        builder.UseSetting("Channels:ExchangeRates:0:Date", "2026-11-20");
        builder.UseSetting("Channels:ExchangeRates:0:Rate", "1.25");
        builder.UseSetting("Channels:ExchangeRates:0:Source", "ECB reference rate");
        foreach (var (store, index) in TestStore.All.Select((s, i) => (s, i)))
        {
            var prefix = $"Stores:{index}:";
            builder.UseSetting(prefix + "TenantId", store.TenantId);
            builder.UseSetting(prefix + "StoreId", store.StoreId);
            builder.UseSetting(prefix + "Name", $"{store.TenantId} {store.StoreId}");
            builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
            builder.UseSetting(prefix + "Currency", store.Currency);
            builder.UseSetting(prefix + "TimeZone", store.TimeZone);
            builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddHttpClient(ChannelsHosting.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Upstream);
        });
    }

    /// <summary>Waits until every fact the entities handed over (shipments, traffic, orders) is in the history store.</summary>
    public async Task FlushHistoryAsync()
    {
        var writer = await Services.GetRequiredService<ActorRegistry>().GetAsync<HistoryWriter>();
        await writer.Ask<HistoryWriter.Flushed>(HistoryWriter.FlushNow.Instance, TimeSpan.FromSeconds(60));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
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
