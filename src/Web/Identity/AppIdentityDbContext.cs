using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace SalesDash.Web.Identity;

/// <summary>
/// Users, organisations, memberships, invitations, API keys and the Data Protection key ring, in one database
/// (a SQLite file by default, PostgreSQL for a cluster) so every node signs and reads the same cookies.
/// </summary>
public class AppIdentityDbContext(DbContextOptions<AppIdentityDbContext> options)
    : IdentityUserContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<Organisation> Organisations => Set<Organisation>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // Everything else the app keeps (stores, dashboards, channels, alerts, reports, plans, audit...): one database.
        SalesDash.Web.AppData.AppDataModel.Configure(builder);

        builder.Entity<AppUser>().Property(u => u.DisplayName).HasMaxLength(100).IsRequired();

        builder.Entity<Organisation>(org =>
        {
            org.HasKey(o => o.Id);
            org.Property(o => o.Id).HasMaxLength(64);
            org.Property(o => o.Name).HasMaxLength(100).IsRequired();
            org.Property(o => o.TimeZone).HasMaxLength(64).IsRequired();
            org.Property(o => o.ReportingCurrency).HasMaxLength(3).IsRequired();
        });

        builder.Entity<Membership>(membership =>
        {
            membership.HasKey(m => new { m.OrganisationId, m.UserId });
            membership.HasIndex(m => m.UserId);
            membership.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
            membership.HasOne<Organisation>().WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
            membership.HasOne<AppUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Invitation>(invitation =>
        {
            invitation.HasKey(i => i.Id);
            invitation.HasIndex(i => i.TokenHash).IsUnique();
            invitation.HasIndex(i => i.OrganisationId);
            invitation.Property(i => i.Email).HasMaxLength(256).IsRequired();
            invitation.Property(i => i.NormalizedEmail).HasMaxLength(256).IsRequired();
            invitation.Property(i => i.TokenHash).HasMaxLength(64).IsRequired();
            invitation.Property(i => i.Role).HasConversion<string>().HasMaxLength(16);
            invitation.HasOne<Organisation>().WithMany().HasForeignKey(i => i.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ApiKey>(key =>
        {
            key.HasKey(k => k.Id);
            key.HasIndex(k => k.Prefix).IsUnique();
            key.HasIndex(k => k.OrganisationId);
            key.Property(k => k.Name).HasMaxLength(100).IsRequired();
            key.Property(k => k.Prefix).HasMaxLength(32).IsRequired();
            key.Property(k => k.SecretHash).HasMaxLength(64).IsRequired();
            key.Ignore(k => k.Scopes);
            key.HasOne<Organisation>().WithMany().HasForeignKey(k => k.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
