using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Plans;

/// <summary>
/// A SalesDash app for the plan and branding tests, started like <see cref="SalesDashApp"/> but with organisations of
/// its own on known plans (configured defaults): one on Scale (white-label), one on Starter. Branding one organisation
/// of the shared app would change what other tests see.
/// </summary>
public sealed class PlansApp : IAsyncLifetime, ISignedInApp
{
    /// <summary>An organisation on Scale, which includes white-label.</summary>
    public static readonly TestStore Branded = new("brand-co", "brand-shop", "Brand Shop", "brand-shop.myshopify.com", "USD", "UTC", $"shpss_brand_{Guid.NewGuid():N}");

    /// <summary>An organisation on Starter, which does not.</summary>
    public static readonly TestStore Starter = new("starter-co", "starter-shop", "Starter Shop", "starter-shop.myshopify.com", "USD", "UTC", $"shpss_starter_{Guid.NewGuid():N}");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-plans-e2e-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of both organisations; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

    /// <summary>Signed in as <see cref="OwnerEmail"/>.</summary>
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
            builder.UseSetting("Plans:Tenants:brand-co", "Scale");
            builder.UseSetting("Plans:Tenants:starter-co", "Starter");
            foreach (var (store, channel, index) in new[] { (Branded, "Shopify", 0), (Starter, "Shopify", 1) })
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
        OwnerEmail = await TestSignIn.CreateMemberAsync(factory.Services, SalesDash.Web.Identity.OrgRole.Owner, Branded.TenantId, Starter.TenantId);
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
