using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Channels;

/// <summary>
/// A SalesDash app of its own for the channel tests, started like <see cref="SalesDashApp"/> but with Meta's Graph API
/// pointed at <see cref="FakeGraphApi"/>, Google's token endpoint and the GA4 Data API at <see cref="FakeGoogleAnalytics"/> (the
/// endpoints are configuration) and the scheduler off, so only the buttons poll.
/// </summary>
public sealed class ChannelsApp : IAsyncLifetime, ISignedInApp
{
    public static readonly TestStore Shop = new("chan", "chan-shop", "Channels Shop", "chan-shop.myshopify.com", "USD", "UTC", $"shpss_chan_{Guid.NewGuid():N}");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-chan-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    public FakeGraphApi Graph { get; } = new();

    public FakeGoogleAnalytics Analytics { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of every organisation the app started with; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

    public HttpClient Http { get; private set; } = null!;

    public string ChannelsPath => $"/stores/{Shop.TenantId}/{Shop.StoreId}/channels";

    public async ValueTask InitializeAsync()
    {
        // SALESDASH_E2E_WEBROOT lets a developer test a front end built elsewhere without touching the shared wwwroot.
        var webRoot = Environment.GetEnvironmentVariable("SALESDASH_E2E_WEBROOT") is { Length: > 0 } custom ? custom : RepositoryRoot.Combine("src", "Web", "wwwroot");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            throw new InvalidOperationException($"{webRoot}/index.html is missing: build the front end first (./test.sh does).");
        }

        root = new WebApplicationFactory<Program>();
        factory = root.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Engine:DataDirectory", dataDirectory);
            builder.UseSetting("Demo:Enabled", "false");
            // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
            builder.UseSetting("Plans:SelfHosted", "true");
            builder.UseSetting("Channels:SchedulerEnabled", "false");
            // The fake Graph and Google servers listen on loopback, which the outbound policy refuses unless listed.
            builder.UseSetting("Outbound:AllowedHosts:0", "127.0.0.1");
            builder.UseSetting("Channels:Endpoints:FacebookGraph", Graph.BaseAddress.AbsoluteUri);
            builder.UseSetting("Channels:Endpoints:GoogleToken", Analytics.TokenEndpoint.AbsoluteUri);
            builder.UseSetting("Channels:Endpoints:GoogleAnalyticsData", Analytics.BaseAddress.AbsoluteUri);
            builder.UseSetting(WebHostDefaults.WebRootKey, webRoot);
            builder.UseSetting("Stores:0:TenantId", Shop.TenantId);
            builder.UseSetting("Stores:0:StoreId", Shop.StoreId);
            builder.UseSetting("Stores:0:Name", Shop.Name);
            builder.UseSetting("Stores:0:Channel", "Shopify");
            builder.UseSetting("Stores:0:ShopDomain", Shop.ShopDomain);
            builder.UseSetting("Stores:0:Currency", Shop.Currency);
            builder.UseSetting("Stores:0:TimeZone", Shop.TimeZone);
            builder.UseSetting("Stores:0:WebhookSecret", Shop.WebhookSecret);
        });

        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        OwnerEmail = await TestSignIn.CreateMemberAsync(factory.Services, SalesDash.Web.Identity.OrgRole.Owner);
        Http = await TestSignIn.SignedInClientAsync(BaseAddress, OwnerEmail);

        // The store is seeded in the background after start; the page needs it to exist before it can save a connection.
        for (var attempt = 0; ; attempt++)
        {
            using var stores = await Http.GetAsync(new Uri($"api/channels/{Shop.TenantId}/{Shop.StoreId}", UriKind.Relative), TestContext.Current.CancellationToken);
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

    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        if (root is not null)
        {
            await root.DisposeAsync();
        }

        await Graph.DisposeAsync();
        await Analytics.DisposeAsync();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing writer only leaves a temp folder behind; the results stand.
        }
    }
}
