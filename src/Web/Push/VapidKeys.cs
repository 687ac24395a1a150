using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Push;

/// <summary>Web push settings: the VAPID key pair (generated and kept in the app database when absent) and the contact.</summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>The uncompressed P-256 public key, base64url; with <see cref="VapidPrivateKey"/> or neither.</summary>
    public string? VapidPublicKey { get; set; }

    /// <summary>The P-256 private scalar, base64url.</summary>
    public string? VapidPrivateKey { get; set; }

    /// <summary>Who push services may contact about our traffic (RFC 8292 "sub"): a mailto: or https: address.</summary>
    public string Subject { get; set; } = "mailto:alerts@salesdash.invalid";

    /// <summary>How long a push service keeps a message for a phone that is off; an alert older than this is stale news.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Why the options cannot be used, or null.</summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(VapidPublicKey) != string.IsNullOrWhiteSpace(VapidPrivateKey))
        {
            return "Push:VapidPublicKey and Push:VapidPrivateKey go together: give both or neither (then a pair is generated and kept in the app database).";
        }

        if (!string.IsNullOrWhiteSpace(VapidPublicKey) && VapidKeys.WhyInvalid(VapidPublicKey, VapidPrivateKey!) is { } why)
        {
            return $"Push VAPID keys: {why}";
        }

        if (!Subject.StartsWith("mailto:", StringComparison.Ordinal) && !Subject.StartsWith("https://", StringComparison.Ordinal))
        {
            return "Push:Subject must be a mailto: or https: address (RFC 8292).";
        }

        return TimeToLive <= TimeSpan.Zero ? "Push:TimeToLive must be positive." : null;
    }
}

/// <summary>A VAPID key pair, base64url as the Web Push protocol and browsers carry them.</summary>
public sealed record VapidKeys(string PublicKey, string PrivateKey)
{
    /// <summary>A new P-256 pair.</summary>
    public static VapidKeys Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        byte[] point = [0x04, .. p.Q.X!, .. p.Q.Y!];
        return new(WebEncoders.Base64UrlEncode(point), WebEncoders.Base64UrlEncode(p.D!));
    }

    /// <summary>Why the pair is unusable (wrong lengths, not a P-256 point, halves that do not match), or null.</summary>
    public static string? WhyInvalid(string publicKey, string privateKey)
    {
        try
        {
            var q = WebEncoders.Base64UrlDecode(publicKey);
            var d = WebEncoders.Base64UrlDecode(privateKey);
            if (q.Length != 65 || q[0] != 0x04)
            {
                return "the public key must be an uncompressed P-256 point (65 bytes, base64url).";
            }

            if (d.Length != 32)
            {
                return "the private key must be a 32-byte P-256 scalar (base64url).";
            }

            using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d, Q = new ECPoint { X = q[1..33], Y = q[33..] } });
            // A private key that does not belong to the public one would sign tokens every push service refuses.
            var derived = key.ExportParameters(includePrivateParameters: false).Q;
            return derived.X!.AsSpan().SequenceEqual(q.AsSpan(1, 32)) ? null : "the private key does not belong to the public key.";
        }
        catch (FormatException)
        {
            return "not base64url.";
        }
        catch (CryptographicException)
        {
            // OpenSSL refuses a pair whose halves differ (and a point off the curve) at import.
            return "the private key does not belong to the public key (or the public key is not a P-256 point).";
        }
    }
}

/// <summary>
/// The key pair the cluster signs pushes with: configuration's if given, else the app database's, made by whichever
/// node starts first (the primary key decides a race; the loser reads the winner's pair).
/// </summary>
public sealed class VapidKeyProvider(
    IOptions<PushOptions> options, IDbContextFactory<AppIdentityDbContext> databases, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("SalesDash.Push.VapidPrivateKey.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private VapidKeys? _keys;

    public async Task<VapidKeys> GetAsync(CancellationToken cancellationToken)
    {
        if (_keys is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _keys ??= await LoadAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<VapidKeys> LoadAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value;
        if (!string.IsNullOrWhiteSpace(configured.VapidPublicKey) && !string.IsNullOrWhiteSpace(configured.VapidPrivateKey))
        {
            return new(configured.VapidPublicKey.Trim(), configured.VapidPrivateKey.Trim());
        }

        if (await ReadAsync(cancellationToken) is { } stored)
        {
            return stored;
        }

        var fresh = VapidKeys.Generate();
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            db.Set<PushVapidKeyRow>().Add(new PushVapidKeyRow
            {
                Id = PushModel.VapidKeyId,
                PublicKey = fresh.PublicKey,
                PrivateKey = _protector.Protect(fresh.PrivateKey),
                CreatedAt = StoredTime.From(time.GetUtcNow()),
            });
            await db.SaveChangesAsync(cancellationToken);
            return fresh;
        }
        catch (DbUpdateException)
        {
            // Another node stored its pair first: use that one, so every node signs with the same key.
            return await ReadAsync(cancellationToken) ?? throw new InvalidOperationException("The VAPID key pair could neither be stored nor read.");
        }
    }

    private async Task<VapidKeys?> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<PushVapidKeyRow>().AsNoTracking().SingleOrDefaultAsync(k => k.Id == PushModel.VapidKeyId, cancellationToken);
        return row is null ? null : new VapidKeys(row.PublicKey, _protector.Unprotect(row.PrivateKey));
    }
}
