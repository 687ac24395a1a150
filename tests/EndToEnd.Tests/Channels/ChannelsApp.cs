using System.Net;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A SalesDash app of its own for the channel tests, started like <see cref="SalesDashApp"/> but with Meta's Graph API
/// pointed at <see cref="FakeGraphApi"/>, Google's token endpoint and the GA4 Data API at <see cref="FakeGoogleAnalytics"/> (the
/// endpoints are configuration) and the scheduler off, so only the buttons poll.
/// </summary>
public sealed class ChannelsApp : ServedSalesDash
{
    public static readonly TestStore Shop = new("chan", "chan-shop", "Channels Shop", "chan-shop.myshopify.com", "USD", "UTC", $"shpss_chan_{Guid.NewGuid():N}");

    public FakeGraphApi Graph { get; } = new();

    public FakeGoogleAnalytics Analytics { get; } = new();

    public string ChannelsPath => $"/stores/{Shop.TenantId}/{Shop.StoreId}/channels";

    protected override SalesDashHostOptions CreateOptions() => new()
    {
        Stores = [Shop.Hosted()],
        Settings = new Dictionary<string, string>
        {
            ["Channels:SchedulerEnabled"] = "false",
            // The fake Graph and Google servers listen on loopback, which the outbound policy refuses unless listed.
            ["Outbound:AllowedHosts:0"] = "127.0.0.1",
            ["Channels:Endpoints:FacebookGraph"] = Graph.BaseAddress.AbsoluteUri,
            ["Channels:Endpoints:GoogleToken"] = Analytics.TokenEndpoint.AbsoluteUri,
            ["Channels:Endpoints:GoogleAnalyticsData"] = Analytics.BaseAddress.AbsoluteUri,
        },
    };

    protected override async Task AfterStartAsync()
    {
        // The page needs the store to exist before it can save a connection.
        for (var attempt = 0; ; attempt++)
        {
            using var stores = await Http.GetAsync(new Uri($"api/tenants/{Shop.TenantId}/stores/{Shop.StoreId}/channels", UriKind.Relative), TestContext.Current.CancellationToken);
            if (stores.StatusCode == HttpStatusCode.OK)
            {
                break;
            }

            if (attempt > 100)
            {
                throw new InvalidOperationException($"The store {Shop.Ref} never appeared: /api/channels answered {(int)stores.StatusCode}.");
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Graph.DisposeAsync();
        await Analytics.DisposeAsync();
    }
}
