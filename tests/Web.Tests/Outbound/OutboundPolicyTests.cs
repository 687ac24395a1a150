using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SalesDash.Engine.Alerts;
using SalesDash.Engine.Anomalies;
using SalesDash.Web.Alerts;
using SalesDash.Web.Channels;
using SalesDash.Web.Outbound;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Outbound;

/// <summary>The outbound policy: address rules, and the named clients against real loopback receivers.</summary>
public sealed class OutboundPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.9.9.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.10")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.251")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("2002:7f00:1::")]
    public void Internal_addresses_are_refused(string address)
    {
        Assert.NotNull(new OutboundAddressPolicy().WhyRefused(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_allowed(string address)
    {
        Assert.Null(new OutboundAddressPolicy().WhyRefused(IPAddress.Parse(address)));
    }

    [Fact]
    public void Listed_addresses_and_ranges_are_allowed_and_nothing_else()
    {
        var policy = new OutboundAddressPolicy(["127.0.0.1", "10.20.0.0/16"]);

        Assert.Null(policy.WhyRefused(IPAddress.Loopback));
        Assert.Null(policy.WhyRefused(IPAddress.Parse("10.20.30.40")));
        Assert.NotNull(policy.WhyRefused(IPAddress.Parse("10.21.0.1")));
        Assert.NotNull(policy.WhyRefused(IPAddress.Parse("127.0.0.2")));
    }

    [Fact]
    public async Task Alert_webhook_to_loopback_is_refused_and_never_arrives()
    {
        var hits = 0;
        await using var receiver = await StartReceiverAsync(_ =>
        {
            Interlocked.Increment(ref hits);
            return Task.CompletedTask;
        });
        using var services = Services();
        var notifier = Notifier(services);

        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => notifier.NotifyAsync(Notification($"{receiver.Url}/hooks"), Ct));

        Assert.Contains("loopback", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_after_resolution()
    {
        var hits = 0;
        await using var receiver = await StartReceiverAsync(_ =>
        {
            Interlocked.Increment(ref hits);
            return Task.CompletedTask;
        });
        // A public-looking name whose DNS answer is 127.0.0.1 (what a rebinding attacker's name answers on the second lookup).
        using var services = Services(resolver: new FixedDns(IPAddress.Loopback));
        var notifier = Notifier(services);
        var url = $"http://hooks.tenant.example:{new Uri(receiver.Url).Port}/hooks";

        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(() => notifier.NotifyAsync(Notification(url), Ct));

        Assert.Contains("hooks.tenant.example", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, hits);
    }

    [Fact]
    public async Task Listed_loopback_receiver_gets_the_webhook()
    {
        var hits = 0;
        await using var receiver = await StartReceiverAsync(_ =>
        {
            Interlocked.Increment(ref hits);
            return Task.CompletedTask;
        });
        using var services = Services(allowed: "127.0.0.1", resolver: new FixedDns(IPAddress.Loopback));

        await Notifier(services).NotifyAsync(Notification($"http://hooks.tenant.example:{new Uri(receiver.Url).Port}/hooks"), Ct);

        Assert.Equal(1, hits);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        var inner = 0;
        await using var target = await StartReceiverAsync(_ =>
        {
            Interlocked.Increment(ref inner);
            return Task.CompletedTask;
        });
        await using var redirector = await StartReceiverAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = $"{target.Url}/internal";
            return Task.CompletedTask;
        });
        using var services = Services(allowed: "127.0.0.1");
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(ChannelsHosting.HttpClientName);

        using var response = await client.GetAsync(new Uri($"{redirector.Url}/start"), Ct);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(0, inner);
    }

    [Fact]
    public async Task Responses_beyond_the_cap_are_refused()
    {
        await using var receiver = await StartReceiverAsync(async context =>
        {
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 64; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        using var services = Services(allowed: "127.0.0.1", maxResponseBytes: "1048576");
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(ChannelsHosting.HttpClientName);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri($"{receiver.Url}/big"), Ct));
    }

    [Fact]
    public async Task The_apps_alert_and_channel_clients_refuse_loopback()
    {
        var hits = 0;
        await using var receiver = await StartReceiverAsync(_ =>
        {
            Interlocked.Increment(ref hits);
            return Task.CompletedTask;
        });
        await using var app = new WebAppFactory();
        var clients = app.Services.GetRequiredService<IHttpClientFactory>();

        foreach (var name in new[] { WebhookAlertNotifier.HttpClientName, ChannelsHosting.HttpClientName })
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => clients.CreateClient(name).GetAsync(new Uri($"{receiver.Url}/x"), Ct));
        }

        Assert.Equal(0, hits);
    }

    private static ServiceProvider Services(string? allowed = null, IOutboundDnsResolver? resolver = null, string? maxResponseBytes = null)
    {
        var settings = new Dictionary<string, string?>();
        if (allowed is not null)
        {
            settings["Outbound:AllowedHosts:0"] = allowed;
        }

        if (maxResponseBytes is not null)
        {
            settings["Outbound:MaxResponseBytes"] = maxResponseBytes;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOutboundHttp(configuration);
        if (resolver is not null)
        {
            services.AddSingleton(resolver);
        }

        services.AddOutboundHttpClient(WebhookAlertNotifier.HttpClientName);
        services.AddOutboundHttpClient(ChannelsHosting.HttpClientName);
        return services.BuildServiceProvider();
    }

    private static WebhookAlertNotifier Notifier(IServiceProvider services) =>
        new(services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new AlertDeliveryOptions { WebhookRetries = 1, WebhookFirstDelay = TimeSpan.FromMilliseconds(10) }));

    private static AlertNotification Notification(string webhook)
    {
        var rule = new AlertRule { Id = "r1", TenantId = "acme", Name = "Revenue", Kind = AlertRuleKind.Anomaly, WebhookUrl = webhook };
        var alert = new Alert
        {
            Id = Guid.NewGuid().ToString("N"),
            TenantId = "acme",
            StoreId = "uk-shop",
            RuleId = rule.Id,
            RuleName = rule.Name,
            Kind = rule.Kind,
            Status = AlertStatus.Firing,
            FiredAt = WebAppFactory.Now,
            Message = "Revenue is down",
            Figures = new AlertFigures(AlertMetric.Revenue, 412.50m, 1250.00m, 900.00m, 1600.00m, -0.67m, 15, WebAppFactory.Now, "GBP", AnomalySeverity.High),
        };
        return new AlertNotification(alert, rule, AlertNotificationKind.Fired, HeldByQuietHours: false);
    }

    private sealed class FixedDns(IPAddress address) : IOutboundDnsResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Task.FromResult(new[] { address });
    }

    private static async Task<Receiver> StartReceiverAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var web = builder.Build();
        web.Run(handler);
        await web.StartAsync(Ct);
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Receiver(web, address);
    }

    private sealed record Receiver(WebApplication Web, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Web.StopAsync();
            await Web.DisposeAsync();
        }
    }
}
