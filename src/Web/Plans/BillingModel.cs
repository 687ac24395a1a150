using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Plans;

/// <summary>
/// An organisation's billing as Stripe's webhooks last described it: the customer, the subscription, its tier and
/// status. Only the Stripe webhook handler writes the subscription fields; the API only records the customer it made.
/// </summary>
public sealed class OrganisationBilling
{
    public string OrganisationId { get; set; } = string.Empty;

    public string? StripeCustomerId { get; set; }

    public string? StripeSubscriptionId { get; set; }

    /// <summary>The tier the subscription's price buys; null when its price is not one of the configured ones.</summary>
    public PlanTier? Tier { get; set; }

    /// <summary>Stripe's subscription status: active, trialing, past_due, canceled, unpaid, incomplete, ...</summary>
    public string? Status { get; set; }

    public DateTimeOffset? CurrentPeriodEnd { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    /// <summary>paid or payment_failed, from the last invoice.* event.</summary>
    public string? LastInvoiceStatus { get; set; }

    /// <summary>
    /// The Stripe <c>created</c> time (Unix seconds) of the subscription event applied last: Stripe does not deliver
    /// in order, so an older event never overwrites a newer one.
    /// </summary>
    public long LastEventCreated { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A plan e-mail already sent (trial reminders, revenue-cap warnings, retention warnings), keyed so each is sent once
/// even when several nodes or restarts run the same check.
/// </summary>
public sealed class PlanNotice
{
    public string OrganisationId { get; set; } = string.Empty;

    /// <summary>What was sent, e.g. "trial-3d" or "revenue-80:2026-12".</summary>
    public string Key { get; set; } = string.Empty;

    public DateTimeOffset SentAt { get; set; }
}

/// <summary>The plan entities' mapping, called from the app's one EF Core context.</summary>
public static class PlanEntities
{
    public static void Configure(ModelBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Entity<OrganisationBilling>(billing =>
        {
            billing.HasKey(b => b.OrganisationId);
            billing.Property(b => b.OrganisationId).HasMaxLength(64);
            billing.Property(b => b.StripeCustomerId).HasMaxLength(255);
            billing.HasIndex(b => b.StripeCustomerId);
            billing.Property(b => b.StripeSubscriptionId).HasMaxLength(255);
            billing.Property(b => b.Tier).HasConversion<string>().HasMaxLength(16);
            billing.Property(b => b.Status).HasMaxLength(32);
            billing.Property(b => b.LastInvoiceStatus).HasMaxLength(32);
        });

        builder.Entity<PlanNotice>(notice =>
        {
            notice.HasKey(n => new { n.OrganisationId, n.Key });
            notice.Property(n => n.OrganisationId).HasMaxLength(64);
            notice.Property(n => n.Key).HasMaxLength(128);
        });
    }
}
