using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Push;

/// <summary>
/// The cluster's one VAPID key pair when configuration gives none: every node signs with the same key, or a browser
/// subscribed through one node would be refused by its push service when another node sends.
/// </summary>
public sealed class PushVapidKeyRow
{
    /// <summary>Always <see cref="PushModel.VapidKeyId"/>: the primary key is what stops two nodes keeping two pairs.</summary>
    public required string Id { get; set; }

    /// <summary>The uncompressed P-256 point (65 bytes), base64url, as browsers take it for applicationServerKey.</summary>
    public required string PublicKey { get; set; }

    /// <summary>The private scalar, base64url, as Data Protection ciphertext (the cluster's shared key ring).</summary>
    public required string PrivateKey { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>One browser's push subscription, owned by the person signed in when it subscribed.</summary>
public sealed class PushSubscriptionRow
{
    public required string Id { get; set; }
    public required string UserId { get; set; }

    /// <summary>The push service's address for this browser; unique, since a browser has one per application server key.</summary>
    public required string Endpoint { get; set; }

    /// <summary>The browser's P-256 public key (base64url, 65 bytes) the payload is encrypted to (RFC 8291).</summary>
    public required string P256dh { get; set; }

    /// <summary>The 16-byte authentication secret (base64url) mixed into the payload key.</summary>
    public required string Auth { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The push tables; called from the app model.</summary>
public static class PushModel
{
    public const string VapidKeyId = "cluster";

    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<PushVapidKeyRow>(e =>
        {
            e.ToTable("PushVapidKeys");
            e.HasKey(k => k.Id);
        });
        builder.Entity<PushSubscriptionRow>(e =>
        {
            e.ToTable("PushSubscriptions");
            e.HasKey(s => s.Id);
            e.HasIndex(s => s.Endpoint).IsUnique();
            e.HasIndex(s => s.UserId);
        });
    }
}
