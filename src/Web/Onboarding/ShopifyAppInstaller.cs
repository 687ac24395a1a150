using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Connectors.Shopify;
using SalesDash.Connectors.ShopifyAdmin;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Alerts;
using SalesDash.Web.AppData;
using SalesDash.Web.Channels;
using SalesDash.Web.Identity;
using SalesDash.Web.Plans;
using SalesDash.Web.Stores;

namespace SalesDash.Web.Onboarding;

/// <summary>The Shopify app SalesDash installs as, bound from the "ShopifyApp" section (the Partner dashboard's client id and secret).</summary>
public sealed class ShopifyAppOptions
{
    public const string Section = "ShopifyApp";

    /// <summary>The app's client id (API key); without it the install button says the app is not set up.</summary>
    public string? ClientId { get; set; }

    /// <summary>The app's client secret: signs the OAuth callback and every webhook of an installed shop.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Access scopes asked for: orders for the dashboard, products for the recommendations' catalogue (product_type and the
    /// variants' inventory_quantity, which the Product Variant resource serves under the products scope; no read_inventory).
    /// </summary>
    public string Scopes { get; set; } = "read_orders,read_products";

    /// <summary>The address Shopify reaches SalesDash at (callback and webhooks); the request's own origin when not set.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>How long a started install may take before its state is refused.</summary>
    public TimeSpan InstallLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public bool Configured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ClientSecret);
}

/// <summary>A request to install the app in a shop for an organisation; name, currency and time zone default to the organisation's.</summary>
public sealed record ShopifyInstallRequest(string? ShopDomain, string? Name, string? Currency, string? TimeZone);

/// <summary>Where to send the merchant to approve the app.</summary>
public sealed record ShopifyInstallStarted(Uri AuthorizeUrl, string Nonce);

/// <summary>A store connected by the app, as the onboarding page lists it.</summary>
public sealed record ShopifyInstallation(string TenantId, string StoreId, string ShopDomain, string Scopes, DateTimeOffset InstalledAt, DateTimeOffset? UninstalledAt);

/// <summary>The outcome of an install step: the value, or the problem to answer with.</summary>
public sealed record InstallResult<T>(T? Value, ProblemHttpResult? Problem)
{
    public static InstallResult<T> Ok(T value) => new(value, null);

    public static InstallResult<T> Fail(int status, string title, string detail) => new(default, TypedResults.Problem(statusCode: status, title: title, detail: detail));
}

/// <summary>
/// The Shopify app install: the authorize URL with a state that names the organisation and a nonce the browser keeps in
/// a cookie; the callback checked by Shopify's query HMAC, the state and the nonce; the code exchanged for an offline
/// token kept encrypted as the store's Shopify Admin connection (so the backfill poller uses it); the order and
/// uninstall webhooks subscribed to our addresses; and app/uninstalled disconnecting the store.
/// </summary>
public sealed class ShopifyAppInstaller(
    IOptions<ShopifyAppOptions> options,
    IHttpClientFactory httpClients,
    IOptions<ChannelsOptions> channels,
    IStoreDirectory stores,
    IChannelConnectionStore connections,
    IDbContextFactory<AppIdentityDbContext> databases,
    IDataProtectionProvider protection,
    IPlanService plans,
    PlanUsage usage,
    DefaultAlertRules defaultAlerts,
    TimeProvider time,
    ILogger<ShopifyAppInstaller> log)
{
    public const string CallbackPath = "/api/shopify/callback";
    public const string OrdersWebhookPath = "/webhooks/shopify";
    public const string UninstalledWebhookPath = "/webhooks/shopify/app-uninstalled";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IDataProtector _state = protection.CreateProtector("SalesDash.Onboarding.ShopifyInstallState.v1");

    public ShopifyAppOptions Options => options.Value;

    /// <summary>Checks the request and makes the authorize URL; the nonce goes into the browser's cookie.</summary>
    public async Task<InstallResult<ShopifyInstallStarted>> BeginAsync(string tenantId, string userId, ShopifyInstallRequest request, Uri publicBase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var app = options.Value;
        if (!app.Configured)
        {
            return InstallResult<ShopifyInstallStarted>.Fail(StatusCodes.Status409Conflict, "Shopify app not set up",
                "This SalesDash has no Shopify app (ShopifyApp:ClientId and ClientSecret); connect the store by webhook instead.");
        }

        if (!ShopifyShopDomain.TryNormalise(request.ShopDomain, out var shop))
        {
            return InstallResult<ShopifyInstallStarted>.Fail(StatusCodes.Status400BadRequest, "Not a Shopify shop", ShopifyShopDomain.Rule(request.ShopDomain));
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var organisation = await db.Organisations.AsNoTracking().SingleAsync(o => o.Id == tenantId, cancellationToken);
        var currency = string.IsNullOrWhiteSpace(request.Currency) ? organisation.ReportingCurrency : request.Currency.Trim().ToUpperInvariant();
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? organisation.TimeZone : request.TimeZone.Trim();
        var name = string.IsNullOrWhiteSpace(request.Name) ? shop[..shop.IndexOf('.', StringComparison.Ordinal)] : request.Name.Trim();
        if (!OrganisationRules.IsCurrency(currency))
        {
            return InstallResult<ShopifyInstallStarted>.Fail(StatusCodes.Status400BadRequest, "Unknown currency", $"'{currency}' is not an ISO 4217 currency code such as GBP, EUR or USD.");
        }

        if (!OrganisationRules.IsIanaTimeZone(zone))
        {
            return InstallResult<ShopifyInstallStarted>.Fail(StatusCodes.Status400BadRequest, "Unknown time zone", $"'{zone}' is not an IANA time zone such as Europe/London.");
        }

        if (name.Length > 100 || OrganisationRules.Slug(name).Length == 0)
        {
            return InstallResult<ShopifyInstallStarted>.Fail(StatusCodes.Status400BadRequest, "Name not valid", "Name the store with 1 to 100 characters, some of them letters or digits.");
        }

        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var state = new InstallState(tenantId, userId, shop, nonce, name, currency, zone, time.GetUtcNow() + app.InstallLifetime);
        var protectedState = _state.Protect(JsonSerializer.Serialize(state, Json));
        var url = ShopifyAppOAuth.AuthorizeUrl(shop, app.ClientId!, app.Scopes, new Uri(publicBase, CallbackPath.TrimStart('/')), protectedState);
        return InstallResult<ShopifyInstallStarted>.Ok(new ShopifyInstallStarted(url, nonce));
    }

    /// <summary>
    /// The callback, in the order that makes forgeries cheap to refuse: HMAC (only Shopify knows the secret), shop
    /// domain, state (ours, unexpired, for this shop), the browser's nonce (this person started it), the caller's
    /// role, and only then the calls to Shopify and the writes.
    /// </summary>
    public async Task<InstallResult<ShopifyInstallation>> CompleteAsync(
        IReadOnlyList<KeyValuePair<string, string>> query, string? browserNonce, string userId, Func<string, Task<bool>> isAdminOf, Uri publicBase,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(isAdminOf);
        var app = options.Value;
        if (!app.Configured)
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status409Conflict, "Shopify app not set up", "This SalesDash has no Shopify app configured.");
        }

        if (!ShopifyAppOAuth.IsValidCallback(query, app.ClientSecret!))
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status401Unauthorized, "Invalid signature",
                "The callback's hmac does not match its parameters: it did not come from Shopify.");
        }

        string? Value(string key) => query.Where(p => p.Key == key).Select(p => p.Value).FirstOrDefault();
        if (!ShopifyShopDomain.TryNormalise(Value("shop"), out var shop))
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status400BadRequest, "Not a Shopify shop", ShopifyShopDomain.Rule(Value("shop")));
        }

        var state = ReadState(Value("state"));
        if (state is null || state.Shop != shop || state.ExpiresAt < time.GetUtcNow())
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status400BadRequest, "Install not recognised",
                "This install was not started here, was for another shop, or took too long; start it again from onboarding.");
        }

        if (browserNonce is null || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(browserNonce), System.Text.Encoding.ASCII.GetBytes(state.Nonce))
            || state.UserId != userId)
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status400BadRequest, "Install not recognised",
                "This install was started in another browser or by another person; start it again from onboarding.");
        }

        if (!await isAdminOf(state.TenantId))
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status403Forbidden, "Admin role needed", $"Connecting a store to '{state.TenantId}' needs the Admin role.");
        }

        var code = Value("code");
        if (string.IsNullOrEmpty(code))
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status400BadRequest, "No authorization code", "Shopify's callback carried no code.");
        }

        // The store this shop already is (a reinstall keeps its id and history), or a new one within the plan.
        var existing = await stores.FindByShopDomainAsync(SalesChannel.Shopify, shop, cancellationToken);
        if (existing is not null && existing.Store.TenantId != state.TenantId)
        {
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status409Conflict, "Shop already connected", $"{shop} is connected to another organisation.");
        }

        var storeRef = existing?.Store ?? new StoreRef(state.TenantId, OrganisationRules.Slug(state.Name));
        if (existing is null)
        {
            if ((await stores.ListAsync(state.TenantId, cancellationToken)).Any(s => s.Store.StoreId == storeRef.StoreId))
            {
                return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status409Conflict, "Store exists", $"'{state.TenantId}' already has a store '{storeRef.StoreId}'; install again with another name.");
            }

            if (PlanLimitProblems.CountLimit(await plans.GetLimitsAsync(state.TenantId, cancellationToken), "sales channels",
                    await usage.SalesChannelsAsync(state.TenantId, cancellationToken), l => l.MaxSalesChannels) is { } refused)
            {
                return new InstallResult<ShopifyInstallation>(null, refused);
            }
        }

        var client = new ShopifyAppInstallClient(httpClients.CreateClient(ChannelsHosting.HttpClientName), channels.Value.Endpoints.ShopifyApiVersion);
        ShopifyGrant grant;
        try
        {
            grant = await client.ExchangeCodeAsync(shop, app.ClientId!, app.ClientSecret!, code, cancellationToken);
            foreach (var topic in ShopifyAppOAuth.WebhookTopics)
            {
                var address = new Uri(publicBase, (topic == ShopifyAppOAuth.AppUninstalledTopic ? UninstalledWebhookPath : OrdersWebhookPath).TrimStart('/'));
                await client.SubscribeAsync(shop, grant.AccessToken, topic, address, cancellationToken);
            }
        }
        catch (Exception e) when (e is ChannelAuthException or ChannelResponseException or HttpRequestException or JsonException)
        {
            log.LogWarning(e, "Shopify install for {Shop} failed", shop);
            return InstallResult<ShopifyInstallation>.Fail(StatusCodes.Status502BadGateway, "Shopify refused the install", e.Message);
        }

        // Shopify signs an installed app's webhooks with the app's client secret, so that is the store's webhook secret.
        var profile = existing is not null
            ? existing with { WebhookSecret = app.ClientSecret! }
            : new StoreProfile(storeRef, state.Name, SalesChannel.Shopify, shop, state.Currency, state.TimeZone, app.ClientSecret!);
        await stores.UpsertAsync(profile, cancellationToken);
        if (existing is null)
        {
            // A store installed from Shopify starts with the same alerts as one added by hand; a reinstall keeps its own.
            await defaultAlerts.CreateForAsync(storeRef, cancellationToken);
        }

        var now = time.GetUtcNow();
        await connections.UpsertAsync(new ChannelConnection(storeRef, SalesChannel.Shopify, true,
            ConnectionForm.Write(new ShopifyAdminConnectionSettings(shop, null)),
            ConnectionForm.Write(new ShopifyAdminConnectionCredentials(grant.AccessToken)),
            channels.Value.DefaultPollInterval, now), cancellationToken);

        var scopes = string.Join(',', grant.Scopes);
        await using (var context = await databases.CreateDbContextAsync(cancellationToken))
        {
            var installation = await context.Set<ShopifyInstallationRow>()
                .SingleOrDefaultAsync(i => i.TenantId == storeRef.TenantId && i.StoreId == storeRef.StoreId, cancellationToken);
            if (installation is null)
            {
                installation = new ShopifyInstallationRow { TenantId = storeRef.TenantId, StoreId = storeRef.StoreId, ShopDomain = shop, Scopes = scopes };
                context.Add(installation);
            }

            installation.ShopDomain = shop;
            installation.Scopes = scopes;
            installation.InstalledAt = StoredTime.From(now);
            installation.UninstalledAt = null;
            await context.SaveChangesAsync(cancellationToken);
            return InstallResult<ShopifyInstallation>.Ok(ToInstallation(installation));
        }
    }

    /// <summary>
    /// app/uninstalled: the token no longer works, so the store's Shopify Admin connection is removed and the
    /// installation marked uninstalled; the store and its history stay. False when no installed store has this shop.
    /// </summary>
    public async Task<bool> UninstalledAsync(string shopDomain, CancellationToken cancellationToken)
    {
        await using (var context = await databases.CreateDbContextAsync(cancellationToken))
        {
            var installed = await context.Set<ShopifyInstallationRow>().Where(i => i.ShopDomain == shopDomain).ToListAsync(cancellationToken);
            if (installed.Count == 0)
            {
                return false;
            }

            foreach (var installation in installed)
            {
                await connections.DeleteAsync(new StoreRef(installation.TenantId, installation.StoreId), SalesChannel.Shopify, cancellationToken);
                installation.UninstalledAt ??= StoredTime.From(time.GetUtcNow());
            }

            await context.SaveChangesAsync(cancellationToken);
            log.LogInformation("Shopify app uninstalled from {Shop}; its store is disconnected", shopDomain);
            return true;
        }
    }

    public async Task<IReadOnlyList<ShopifyInstallation>> ListAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using (var context = await databases.CreateDbContextAsync(cancellationToken))
        {
            var rows = await context.Set<ShopifyInstallationRow>().AsNoTracking().Where(i => i.TenantId == tenantId).ToListAsync(cancellationToken);
            return [.. rows.OrderBy(i => i.StoreId, StringComparer.Ordinal).Select(ToInstallation)];
        }
    }

    private InstallState? ReadState(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<InstallState>(_state.Unprotect(text), Json);
        }
        catch (CryptographicException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ShopifyInstallation ToInstallation(ShopifyInstallationRow row) =>
        new(row.TenantId, row.StoreId, row.ShopDomain, row.Scopes, StoredTime.To(row.InstalledAt), StoredTime.To(row.UninstalledAt));

    /// <summary>What the state parameter carries through Shopify and back, encrypted and authenticated by Data Protection.</summary>
    private sealed record InstallState(string TenantId, string UserId, string Shop, string Nonce, string Name, string Currency, string TimeZone, DateTimeOffset ExpiresAt);
}
