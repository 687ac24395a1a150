using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SalesDash.Engine.History.ClickHouse;

namespace SalesDash.EndToEnd.Tests.Hosting;

/// <summary>
/// The one way EndToEnd.Tests hosts SalesDash: the real app on Kestrel on a free loopback port, configured from the same
/// <see cref="SalesDashHostOptions"/> as Web.Tests' in-memory host (fresh data folder, demo off, plans out of the way,
/// the stores named), serving the front end that npm built into src/Web/wwwroot, with an Owner of every organisation
/// signed in (<see cref="OwnerEmail"/>, <see cref="Http"/>). A fixture differs only in <see cref="CreateOptions"/> and
/// the fakes it starts first (<see cref="BeforeStartAsync"/>).
/// </summary>
public abstract class ServedSalesDash : IAsyncLifetime, ISignedInApp
{
    private Host? _host;
    private string? _ownedDataDirectory;

    /// <summary>Where the app answers, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Owner of every organisation the app started with; <see cref="TestSignIn"/> signs pages in as them.</summary>
    public string OwnerEmail { get; private set; } = string.Empty;

    /// <summary>The app's services, e.g. to create members with a role.</summary>
    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>A client for webhooks and API calls, based at <see cref="BaseAddress"/>, signed in as <see cref="OwnerEmail"/>.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>What this app differs in; null stores means <see cref="TestStore.All"/>.</summary>
    protected virtual SalesDashHostOptions CreateOptions() => new();

    /// <summary>Starts what the options point at (a fake Stripe, Graph or Google server) before the app starts.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Waits for what the app's tests need beyond a healthy start, signed in as <see cref="Http"/>.</summary>
    protected virtual Task AfterStartAsync() => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        // SALESDASH_E2E_WEBROOT lets a developer test a front end built elsewhere without touching the shared wwwroot.
        var webRoot = Environment.GetEnvironmentVariable("SALESDASH_E2E_WEBROOT") is { Length: > 0 } custom ? custom : RepositoryRoot.Combine("src", "Web", "wwwroot");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            throw new InvalidOperationException($"{webRoot}/index.html is missing: build the front end first (./test.sh does).");
        }

        await BeforeStartAsync();
        var options = CreateOptions();
        if (options.DataDirectory is null)
        {
            _ownedDataDirectory = Directory.CreateTempSubdirectory("salesdash-e2e-").FullName;
        }

        // Only the shared app's ApiDocsTests reads the OpenAPI document; generating it at every fixture's start would cost
        // each of them a second of CPU, so it is off here and SalesDashApp turns it back on through Settings, which win.
        var settings = new[] { KeyValuePair.Create("OpenApi:AtStart", "false") }.Concat(options.Configuration(
            options.DataDirectory ?? _ownedDataDirectory!, [.. TestStore.All.Select(s => s.Hosted())], $"salesdash_e2e_{Guid.NewGuid():N}",
            ClickHouseHistoryStore.ConnectionStringFor)).Append(KeyValuePair.Create(WebHostDefaults.WebRootKey, webRoot)).ToList();
        _host = new Host(settings, options.Services);

        // Port 0: the OS picks a free port, so parallel runs on one machine never collide.
        _host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _host.StartServer();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel started without an address.");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        OwnerEmail = await TestSignIn.CreateMemberAsync(_host.Services, SalesDash.Web.Identity.OrgRole.Owner);
        Http = await TestSignIn.SignedInClientAsync(BaseAddress, OwnerEmail);

        using var health = await Http.GetAsync(new Uri("healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        if (health.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"/healthz answered {(int)health.StatusCode} after start-up.");
        }

        await AfterStartAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        GC.SuppressFinalize(this);
        if (_ownedDataDirectory is null)
        {
            return;
        }

        try
        {
            Directory.Delete(_ownedDataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a finishing writer only leaves a temp folder behind; the results stand.
        }
    }

    /// <summary>The app with the options' configuration and services; Kestrel is switched on by the caller.</summary>
    private sealed class Host(IReadOnlyList<KeyValuePair<string, string>> settings, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            if (services is not null)
            {
                builder.ConfigureTestServices(services);
            }
        }
    }
}
