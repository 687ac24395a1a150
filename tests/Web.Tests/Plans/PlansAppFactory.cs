using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Tests.Hosting;

namespace SalesDash.Web.Tests.Plans;

/// <summary>
/// The whole app with a fresh data folder, a frozen clock, the channel scheduler off, and a test sign-in: a request
/// carrying "X-Test-User: id|email" is that user. Each test makes its own organisation, so counts never collide.
/// </summary>
public sealed class PlansAppFactory : WebApplicationFactory<Program>
{
    public const string UserHeader = "X-Test-User";

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("salesdash-plans-").FullName;

    public FakeTimeProvider Clock { get; } = new(WebAppFactory.Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Engine:DataDirectory", _dataDirectory);
        builder.UseSetting("Engine:TilePublishInterval", "00:00:00.100");
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseSetting("Channels:SchedulerEnabled", "false");
        builder.UseSetting("Plans:Default", "Enterprise");
        builder.UseSetting("Plans:Tenants:configured-starter", "Starter");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddAuthentication(TestUserHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestUserHandler>(TestUserHandler.SchemeName, _ => { });
        });
    }

    /// <summary>A new organisation with one store, on <paramref name="tier"/> (stored, as its owner would set it).</summary>
    public async Task<string> NewOrganisationAsync(PlanTier tier, CancellationToken cancellationToken, string? prefix = null)
    {
        var tenant = $"{prefix ?? tier.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}"[..20];
        await AddStoreAsync(tenant, "shop", cancellationToken);
        await Services.GetRequiredService<IPlanStore>().SaveAsync(new StoredPlan(tenant, tier, Clock.GetUtcNow(), "test"), cancellationToken);
        return tenant;
    }

    public async Task AddStoreAsync(string tenant, string storeId, CancellationToken cancellationToken) =>
        await Services.GetRequiredService<IStoreDirectory>().UpsertAsync(
            new StoreProfile(new StoreRef(tenant, storeId), $"{tenant} {storeId}", SalesChannel.Shopify, $"{tenant}-{storeId}.myshopify.com", "EUR",
                "Europe/Berlin", "secret-0123456789-abcdef"),
            cancellationToken);

    /// <summary>A client signed in as <paramref name="userId"/>.</summary>
    public HttpClient ClientAs(string userId = "owner-1", string email = "owner@example.com")
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(UserHeader, $"{userId}|{email}");
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing store leaves a temp folder behind; the results stand.
        }
    }

    /// <summary>Signs in whoever the X-Test-User header names; no header, no user.</summary>
    private sealed class TestUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "TestUser";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[UserHeader].FirstOrDefault()?.Split('|') is not [var id, var email])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            // "apikey|<key id>" stands for a caller that authenticated with an API key: no user, the key's claims.
            var identity = id == "apikey"
                ? new ClaimsIdentity([new Claim(SalesDashClaims.ApiKeyId, email), new Claim(SalesDashClaims.ApiKeyScope, "write")], SchemeName)
                : new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id), new Claim(ClaimTypes.Email, email), new Claim(ClaimTypes.Name, id)], SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}

internal static class ProblemReading
{
    public static async Task<Dictionary<string, System.Text.Json.JsonElement>> ProblemAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, System.Text.Json.JsonElement>>(cancellationToken))!;
    }
}
