using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Dashboards;

/// <summary>
/// A second SalesDash app for the wallboard tests, started like <see cref="SalesDashApp"/> but with an organisation
/// of its own: these tests post orders, and the shared app's stores belong to tests that assert exact totals.
/// </summary>
public sealed class WallboardApp : IAsyncLifetime, ISignedInApp
{
    /// <summary>The wallboard's Shopify store; orders are posted here.</summary>
    public static readonly TestStore Shop = new("wall", "wall-shop", "Wall Shopify", "wall-shop.myshopify.com", "USD", "UTC", $"shpss_wall_{Guid.NewGuid():N}");

    /// <summary>A second channel of the same organisation, so rankings have more than one row.</summary>
    public static readonly TestStore Woo = new("wall", "wall-woo", "Wall Woo", "wall-woo.example", "USD", "UTC", $"woo_wall_{Guid.NewGuid():N}");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-wall-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of every organisation the app started with; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var webRoot = RepositoryRoot.Combine("src", "Web", "wwwroot");
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
            builder.UseSetting(WebHostDefaults.WebRootKey, webRoot);
            foreach (var (store, channel, index) in new[] { (Shop, "Shopify", 0), (Woo, "WooCommerce", 1) })
            {
                var prefix = $"Stores:{index}:";
                builder.UseSetting(prefix + "TenantId", store.TenantId);
                builder.UseSetting(prefix + "StoreId", store.StoreId);
                builder.UseSetting(prefix + "Name", store.Name);
                builder.UseSetting(prefix + "Channel", channel);
                builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
                builder.UseSetting(prefix + "Currency", store.Currency);
                builder.UseSetting(prefix + "TimeZone", store.TimeZone);
                builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
            }
        });

        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        OwnerEmail = await TestSignIn.CreateMemberAsync(factory.Services, SalesDash.Web.Identity.OrgRole.Owner);
        Http = await TestSignIn.SignedInClientAsync(BaseAddress, OwnerEmail);

        using var health = await Http.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        if (health.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"/healthz answered {(int)health.StatusCode} after start-up.");
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
