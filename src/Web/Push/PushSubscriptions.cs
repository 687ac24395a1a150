using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Push;

/// <summary>The browser's keys, as PushSubscription.toJSON() gives them.</summary>
public sealed record PushSubscriptionKeys(string? P256dh, string? Auth);

/// <summary>What the browser's PushSubscription.toJSON() sends (expirationTime is ignored).</summary>
public sealed record PushSubscriptionRequest(string? Endpoint, PushSubscriptionKeys? Keys);

/// <summary>Which subscription to remove.</summary>
public sealed record PushUnsubscribeRequest(string? Endpoint);

/// <summary>A subscription to send to.</summary>
public sealed record PushTarget(string Id, string UserId, string Endpoint, string P256dh, string Auth);

/// <summary>The people's push subscriptions in the app database: added and removed by their owner, pruned when the push service says gone.</summary>
public sealed class PushSubscriptions(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    /// <summary>Longer than any push service's endpoint we know of (FCM's are about 200 characters) with room to spare.</summary>
    public const int MaxEndpointLength = 2048;

    /// <summary>The field messages for a subscription that cannot be used, empty when it can (RFC 8030 endpoint, RFC 8291 keys).</summary>
    public static Dictionary<string, string[]> Validate(PushSubscriptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Endpoint) || request.Endpoint.Length > MaxEndpointLength
            || !Uri.TryCreate(request.Endpoint, UriKind.Absolute, out var endpoint))
        {
            errors["endpoint"] = [$"Give the push service's endpoint: an absolute https address of at most {MaxEndpointLength} characters."];
        }
        else if (endpoint.Scheme != Uri.UriSchemeHttps && !(endpoint.Scheme == Uri.UriSchemeHttp && IsLoopback(endpoint)))
        {
            // RFC 8030 requires https; plain http is only accepted for a push service on this machine (tests, development).
            errors["endpoint"] = ["The endpoint must be an https address."];
        }

        if (Decode(request.Keys?.P256dh) is not { Length: 65 } point || point[0] != 0x04 || !OnCurve(point))
        {
            errors["keys.p256dh"] = ["keys.p256dh must be the browser's P-256 public key: 65 bytes, uncompressed, base64url."];
        }

        if (Decode(request.Keys?.Auth) is not { Length: 16 })
        {
            errors["keys.auth"] = ["keys.auth must be the 16-byte authentication secret, base64url."];
        }

        return errors;
    }

    /// <summary>Keeps the subscription for <paramref name="userId"/>; true when it is new. A known endpoint moves to whoever subscribed last on that browser.</summary>
    public async Task<bool> SaveAsync(string userId, PushSubscriptionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var endpoint = request.Endpoint!;
        var p256dh = request.Keys!.P256dh!.Trim().TrimEnd('=');
        var auth = request.Keys.Auth!.Trim().TrimEnd('=');
        var row = await db.Set<PushSubscriptionRow>().SingleOrDefaultAsync(s => s.Endpoint == endpoint, cancellationToken);
        var created = row is null;
        if (row is null)
        {
            row = new PushSubscriptionRow
            {
                Id = Guid.NewGuid().ToString("N"),
                UserId = userId,
                Endpoint = endpoint,
                P256dh = p256dh,
                Auth = auth,
                CreatedAt = StoredTime.From(time.GetUtcNow()),
            };
            db.Add(row);
        }
        else
        {
            row.UserId = userId;
            row.P256dh = p256dh;
            row.Auth = auth;
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (created)
        {
            // The same browser posted twice at once: the other request stored it; this one updates it.
            await SaveAsync(userId, request, cancellationToken);
            return false;
        }

        return created;
    }

    /// <summary>Removes the user's own subscription; false when they have none at that endpoint.</summary>
    public async Task<bool> RemoveAsync(string userId, string endpoint, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<PushSubscriptionRow>().Where(s => s.UserId == userId && s.Endpoint == endpoint).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    /// <summary>Forgets a subscription the push service no longer knows (404/410).</summary>
    public async Task ForgetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<PushSubscriptionRow>().Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Every subscription of the organisation's members: the people who see the organisation's alerts.</summary>
    public async Task<IReadOnlyList<PushTarget>> OfOrganisationAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var members = db.Memberships.Where(m => m.OrganisationId == tenantId).Select(m => m.UserId);
        return await db.Set<PushSubscriptionRow>().AsNoTracking()
            .Where(s => members.Contains(s.UserId))
            .OrderBy(s => s.Id)
            .Select(s => new PushTarget(s.Id, s.UserId, s.Endpoint, s.P256dh, s.Auth))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The user's subscriptions (their browsers).</summary>
    public async Task<IReadOnlyList<PushTarget>> OfUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<PushSubscriptionRow>().AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id)
            .Select(s => new PushTarget(s.Id, s.UserId, s.Endpoint, s.P256dh, s.Auth)).ToListAsync(cancellationToken);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost, out var address) && IPAddress.IsLoopback(address));

    private static byte[]? Decode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 200)
        {
            return null;
        }

        try
        {
            return WebEncoders.Base64UrlDecode(text.Trim().TrimEnd('='));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>A point off the curve would fail every send (and is how invalid-curve attacks start): refuse it now.</summary>
    private static bool OnCurve(byte[] point)
    {
        try
        {
            using var key = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
