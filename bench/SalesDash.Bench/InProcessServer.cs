using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace SalesDash.Bench;

/// <summary>
/// The real SalesDash app on Kestrel on a free loopback port, with a fresh data folder, the demo off, request
/// logging off and one Shopify store: the same host as production, so the figures are the product's, not a mock's.
/// </summary>
public sealed class InProcessServer : IAsyncDisposable
{
    private readonly string dataDirectory;
    private readonly WebApplicationFactory<Program> root;
    private readonly WebApplicationFactory<Program> factory;

    public Uri BaseAddress { get; }

    /// <summary>The app's services, for a bench that reads the engine in-process (the Kafka fold bench's tiles).</summary>
    public IServiceProvider Services => factory.Services;

    private InProcessServer(string dataDirectory, WebApplicationFactory<Program> root, WebApplicationFactory<Program> factory, Uri baseAddress)
    {
        this.dataDirectory = dataDirectory;
        this.root = root;
        this.factory = factory;
        BaseAddress = baseAddress;
    }

    public static InProcessServer Start(BenchOptions options)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("salesdash-bench-").FullName;
        var root = new WebApplicationFactory<Program>();
        var sockets = new SocketWriteProbe();
        var factory = root.WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            // Explicit: the factory otherwise looks for its manifest in the working directory, which a console run does not share.
            builder.UseContentRoot(Path.Combine(FindRepositoryRoot(), "src", "Web"));
            builder.UseSetting("Engine:DataDirectory", dataDirectory);
            builder.UseSetting("Demo:Enabled", "false");
            // A self-hosted install puts every organisation on Enterprise, so the tile watcher's API key is allowed (Growth has no API access).
            builder.UseSetting("Plans:SelfHosted", "true");
            // Per-request log lines would cost more than the work measured.
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
            builder.UseSetting("Stores:0:TenantId", options.TenantId);
            builder.UseSetting("Stores:0:StoreId", options.StoreId);
            builder.UseSetting("Stores:0:Name", "Bench shop");
            builder.UseSetting("Stores:0:Channel", "Shopify");
            builder.UseSetting("Stores:0:ShopDomain", options.ShopDomain);
            builder.UseSetting("Stores:0:Currency", "USD");
            // UTC: "today" cannot roll over differently for the bench and the store during a run.
            builder.UseSetting("Stores:0:TimeZone", "UTC");
            builder.UseSetting("Stores:0:WebhookSecret", options.WebhookSecret);
            if (options.ReportingCurrency is { } reporting)
            {
                builder.UseSetting("Channels:ReportingCurrency", reporting);
                builder.UseSetting("Channels:ExchangeRates:0:From", "USD");
                builder.UseSetting("Channels:ExchangeRates:0:To", reporting);
                builder.UseSetting("Channels:ExchangeRates:0:Date", "2000-01-01");
                builder.UseSetting("Channels:ExchangeRates:0:Rate", "0.9");
            }

            if (options.TileInterval is { } interval)
            {
                builder.UseSetting("Engine:TilePublishInterval", interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
            }

            // --setting Key=Value: e.g. an earlier default (Webhooks:QueueLimit=64) on the same binary, for a before/after in one build.
            foreach (var (key, value) in options.Settings)
            {
                builder.UseSetting(key, value);
            }

            // The relay's writes noted, to split "tiles computed to received" (RelayProbe); the app's own manager otherwise.
            builder.ConfigureTestServices(services => services.AddSingleton(sockets).AddSingleton<SalesDash.Web.Hubs.DashboardLifetimeManager, RelayProbe>());

            // Every wallboard connects with the same key; the per-key limit (120 a minute) would turn most away with 429.
            builder.UseSetting("Identity:ApiKeyPermits", (options.Wallboards + 1_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        // Large writes noted as they reach the socket transport (SocketWriteProbe), to split the relay's "after the write".
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(sockets.Wrap)));
        factory.StartServer();

        InstallApiKey(factory.Services, options);
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        return new InProcessServer(dataDirectory, root, factory, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>The made-up key of <see cref="BenchOptions.ApiKey"/>, stored the way keys are (its SHA-256), for the store's organisation.</summary>
    private static void InstallApiKey(IServiceProvider services, BenchOptions options)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDash.Web.Identity.AppIdentityDbContext>();
        db.ApiKeys.Add(new SalesDash.Web.Identity.ApiKey
        {
            Id = Guid.NewGuid(),
            OrganisationId = options.TenantId,
            Name = "bench",
            Prefix = SalesDash.Web.Identity.ApiKeySecrets.PrefixOf(options.ApiKey) ?? throw new ArgumentException("The bench API key is not shaped like sdk_<prefix>_<secret>."),
            SecretHash = SalesDash.Web.Identity.ApiKeySecrets.Hash(options.ApiKey),
            CanRead = true,
            CreatedAt = DateTimeOffset.UtcNow,
        });
        db.SaveChanges();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SalesDash.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SalesDash.sln above {AppContext.BaseDirectory}: run the bench from a clone, or use --url.");
    }

    public async ValueTask DisposeAsync()
    {
        await factory.DisposeAsync();
        await root.DisposeAsync();
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Only a temp folder left behind; the figures are already printed.
        }
    }
}
