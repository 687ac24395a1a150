using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Connectors.Shopify;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Stores;

/// <summary>Webhook secret rotation, bound from the "WebhookSecrets" section.</summary>
public sealed class WebhookSecretOptions
{
    public const string Section = "WebhookSecrets";

    /// <summary>
    /// How long the secret a rotation replaced is still accepted, so deliveries the platform signed (or retries) with
    /// it before the new one was configured there are not refused. Shopify retries a delivery for up to 48 hours.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(48);
}

/// <summary>The secret a rotation replaced, encrypted, and until when it is still accepted; one per store (app database).</summary>
public sealed class PreviousWebhookSecret
{
    public string TenantId { get; set; } = "";

    public string StoreId { get; set; } = "";

    /// <summary>Data Protection ciphertext; never the secret itself.</summary>
    public string ProtectedSecret { get; set; } = "";

    public DateTimeOffset AcceptedUntil { get; set; }
}

/// <summary>What a rotation answers, once: the new secret to paste into the platform, and until when the old one works.</summary>
public sealed record RotatedWebhookSecret(string TenantId, string StoreId, string WebhookSecret, DateTimeOffset PreviousSecretAcceptedUntil);

/// <summary>Store webhook secrets encrypted with the Data Protection key ring shared by the nodes (as channel credentials are).</summary>
internal sealed class DataProtectionWebhookSecretProtector(IDataProtectionProvider provider) : IWebhookSecretProtector
{
    // Stored values carry this prefix; anything else was written before secrets were encrypted.
    private const string Prefix = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector("SalesDash.Stores.WebhookSecret.v1");

    public string Protect(string secret) => Prefix + _protector.Protect(secret);

    public string Unprotect(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;
    }
}

/// <summary>
/// Rotating a store's webhook secret without downtime: the new secret is answered once and used at once; the replaced
/// one stays accepted for <see cref="WebhookSecretOptions.GracePeriod"/>, then only the new one is.
/// </summary>
public sealed class WebhookSecrets(
    IStoreDirectory stores,
    IDbContextFactory<AppIdentityDbContext> databases,
    IDataProtectionProvider protection,
    IConfiguration configuration,
    TimeProvider time,
    IOptions<WebhookSecretOptions> options)
{
    private readonly IDataProtector _previous = protection.CreateProtector("SalesDash.Stores.PreviousWebhookSecret.v1");

    /// <summary>Whether <paramref name="signature"/> signs <paramref name="body"/> with the store's secret, or with the one it replaced while that is still accepted.</summary>
    public async Task<bool> VerifiesShopifyAsync(StoreProfile store, ReadOnlyMemory<byte> body, string signature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (ShopifyWebhookSignature.IsValid(body.Span, signature, store.WebhookSecret))
        {
            return true;
        }

        // Only a mismatch reads the database: the usual delivery costs nothing more than before.
        return await PreviousSecretAsync(store.Store, cancellationToken) is { } previous && ShopifyWebhookSignature.IsValid(body.Span, signature, previous);
    }

    /// <summary>The replaced secret while it is still accepted; null otherwise.</summary>
    public async Task<string?> PreviousSecretAsync(StoreRef store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.PreviousWebhookSecrets.AsNoTracking()
            .SingleOrDefaultAsync(p => p.TenantId == store.TenantId && p.StoreId == store.StoreId, cancellationToken);
        return row is not null && row.AcceptedUntil > time.GetUtcNow() ? _previous.Unprotect(row.ProtectedSecret) : null;
    }

    /// <summary>Whether the store's secret is set in configuration (Stores:n), where a restart would put it back.</summary>
    public bool IsConfigured(StoreRef store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (configuration.GetSection("Stores").Get<List<StoreSeed>>() ?? [])
            .Any(s => s.TenantId == store.TenantId && s.StoreId == store.StoreId);
    }

    /// <summary>Makes a new secret the store's, keeping the current one accepted for the grace period.</summary>
    public async Task<RotatedWebhookSecret> RotateAsync(StoreProfile store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var until = time.GetUtcNow() + options.Value.GracePeriod;

        // The old secret is kept before the new one replaces it, so no delivery finds neither accepted.
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            var row = await db.PreviousWebhookSecrets.SingleOrDefaultAsync(p => p.TenantId == store.Store.TenantId && p.StoreId == store.Store.StoreId, cancellationToken);
            if (row is null)
            {
                row = new PreviousWebhookSecret { TenantId = store.Store.TenantId, StoreId = store.Store.StoreId };
                db.PreviousWebhookSecrets.Add(row);
            }

            row.ProtectedSecret = _previous.Protect(store.WebhookSecret);
            row.AcceptedUntil = until;
            await db.SaveChangesAsync(cancellationToken);
        }

        await stores.UpsertAsync(store with { WebhookSecret = secret }, cancellationToken);
        return new RotatedWebhookSecret(store.Store.TenantId, store.Store.StoreId, secret, until);
    }
}

/// <summary>POST /api/tenants/{tenantId}/stores/{storeId}/webhook-secret/rotate (Admin), on the store-scoped group.</summary>
internal static class WebhookSecretsApi
{
    public static RouteGroupBuilder MapWebhookSecretRotation(this RouteGroupBuilder store)
    {
        store.MapPost("/webhook-secret/rotate", RotateAsync).WithName("RotateStoreWebhookSecret").RequireOrgRole(OrgRole.Admin);
        return store;
    }

    private static async Task<Results<Ok<RotatedWebhookSecret>, ProblemHttpResult>> RotateAsync(
        CurrentStore current, HttpResponse response, WebhookSecrets secrets, CancellationToken cancellationToken)
    {
        var profile = current.Profile;
        if (secrets.IsConfigured(profile.Store))
        {
            // Rotating it here would last until the next start, when the configured secret comes back.
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Secret set in configuration",
                detail: $"The webhook secret of '{profile.Store.StoreId}' comes from the Stores configuration; change it there.");
        }

        // The secret is shown this once; nothing between here and the caller may keep a copy.
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(await secrets.RotateAsync(profile, cancellationToken));
    }
}

/// <summary>Registers encrypted webhook secrets and their rotation.</summary>
public static class WebhookSecretsHosting
{
    public static IServiceCollection AddWebhookSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WebhookSecretOptions>()
            .Bind(configuration.GetSection(WebhookSecretOptions.Section))
            .Validate(o => o.GracePeriod >= TimeSpan.Zero, "WebhookSecrets:GracePeriod must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<IWebhookSecretProtector, DataProtectionWebhookSecretProtector>();
        services.AddSingleton<WebhookSecrets>();
        return services;
    }
}
