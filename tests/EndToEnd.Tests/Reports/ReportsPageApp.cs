using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.EndToEnd.Tests.Hosting;

namespace SalesDash.EndToEnd.Tests.Reports;

/// <summary>
/// A SalesDash app of its own for the reports page: one store, and reports mailed to the loopback SMTP server that
/// ./test.sh starts (SALESDASH_SMTP; a test that needs it fails without it).
/// </summary>
public sealed class ReportsPageApp : IAsyncLifetime
{
    public static readonly TestStore Shop = new("rep", "rep-shop", "Report Shop", "rep-shop.myshopify.com", "EUR", "UTC", $"shpss_rep_{Guid.NewGuid():N}");

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("salesdash-reports-e2e-").FullName;
    private WebApplicationFactory<Program>? root;
    private WebApplicationFactory<Program>? factory;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => factory!.Services;

    public async ValueTask InitializeAsync()
    {
        var webRoot = RepositoryRoot.Combine("src", "Web", "wwwroot");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            throw new InvalidOperationException($"{webRoot}/index.html is missing: build the front end first (./test.sh does).");
        }

        var smtp = Environment.GetEnvironmentVariable("SALESDASH_SMTP");
        if (string.IsNullOrWhiteSpace(smtp))
        {
            throw new InvalidOperationException("SALESDASH_SMTP is not set: run scripts/services/smtp.sh (./test.sh does) and export its last line.");
        }

        var colon = smtp.LastIndexOf(':');
        root = new WebApplicationFactory<Program>();
        factory = root.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Engine:DataDirectory", dataDirectory);
            builder.UseSetting("Demo:Enabled", "false");
            // Features, not plans, are under test here: a self-hosted install puts every organisation on Enterprise.
            builder.UseSetting("Plans:SelfHosted", "true");
            builder.UseSetting(WebHostDefaults.WebRootKey, webRoot);
            builder.UseSetting("Alerts:Delivery:SmtpHost", smtp[..colon]);
            builder.UseSetting("Alerts:Delivery:SmtpPort", smtp[(colon + 1)..]);
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
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }
}
