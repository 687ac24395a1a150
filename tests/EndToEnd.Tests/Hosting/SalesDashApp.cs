using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(SalesDash.EndToEnd.Tests.Hosting.SalesDashApp))]

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>
/// The real SalesDash app on Kestrel on a free loopback port, with a fresh data folder, the demo off and the
/// stores of <see cref="TestStore.All"/> configured, serving the front end that npm built into src/Web/wwwroot.
/// One per test run: starting the actor system costs seconds, and each test has its own store.
/// </summary>
public sealed class SalesDashApp : IAsyncLifetime, ISignedInApp
{
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-e2e-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    /// <summary>Where the app answers, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of every organisation the app started with; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

    /// <summary>The app's services, e.g. to create members with a role.</summary>
    public IServiceProvider Services => factory?.Services ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>A client for webhooks and API calls, based at <see cref="BaseAddress"/>.</summary>
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
            foreach (var (store, index) in TestStore.All.Select((s, i) => (s, i)))
            {
                var prefix = $"Stores:{index}:";
                builder.UseSetting(prefix + "TenantId", store.TenantId);
                builder.UseSetting(prefix + "StoreId", store.StoreId);
                builder.UseSetting(prefix + "Name", store.Name);
                builder.UseSetting(prefix + "Channel", "Shopify");
                builder.UseSetting(prefix + "ShopDomain", store.ShopDomain);
                builder.UseSetting(prefix + "Currency", store.Currency);
                builder.UseSetting(prefix + "TimeZone", store.TimeZone);
                builder.UseSetting(prefix + "WebhookSecret", store.WebhookSecret);
            }
        });

        // Port 0: the OS picks a free port, so parallel runs on one machine never collide.
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
