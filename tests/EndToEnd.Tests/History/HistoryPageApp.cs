using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.History;

/// <summary>
/// A SalesDash app of its own for the history tests, started like <see cref="SalesDashApp"/>: an import puts days of
/// orders into a store, and the shared app's stores belong to tests that assert exact totals for today.
/// </summary>
public sealed class HistoryPageApp : IAsyncLifetime, ISignedInApp
{
    /// <summary>The store history is imported into; UTC so the store's days are the test's days.</summary>
    public static readonly TestStore Shop = new("hist", "hist-shop", "History Shop", "hist-shop.myshopify.com", "USD", "UTC", $"shpss_hist_{Guid.NewGuid():N}");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-hist-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of every organisation the app started with; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

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
            // Imported facts reach the history store within a fraction of a second rather than the production interval.
            builder.UseSetting("Engine:SnapshotFlushInterval", "00:00:00.200");
            builder.UseSetting("Demo:Enabled", "false");
            // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
            builder.UseSetting("Plans:SelfHosted", "true");
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
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        if (health.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"/healthz answered {(int)health.StatusCode} after start-up.");
        }
    }

    public async ValueTask DisposeAsync()
    {
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
