using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Tests.AppData;

/// <summary>The migrations of both providers: from an empty database, and over a database the earlier identity bootstrap made.</summary>
public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<AppDatabaseProvider> Providers => [AppDatabaseProvider.Sqlite, AppDatabaseProvider.PostgreSQL];

    [Theory, MemberData(nameof(Providers))]
    public async Task Every_migration_applies_to_an_empty_database_and_a_second_start_changes_nothing(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct);
        await using var db = await database.Databases.CreateDbContextAsync(Ct);

        var all = db.Database.GetMigrations().ToList();
        Assert.Equal(["IdentityBaseline", "AppData", "PlansBilling", "PreviousWebhookSecrets", "ShareLinkExpiry", "ExchangeRateRefresh", "ImportJobs", "WarehouseConnections", "Goals", "OnboardingAndAlertPauses", "PeerBenchmarks", "ReportSendLeases", "AlertSnoozesAndTradingHours", "StoreLifecycle", "WebPush", "StoreDeletionProgress", "ProductCatalogue", "RecommendationSettings"], all.Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]));
        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.False(db.Database.HasPendingModelChanges());

        await AppDatabase.MigrateAsync(db, Ct);

        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Equal(0, await db.Set<StoreRow>().CountAsync(Ct));
        Assert.Equal(0, await db.Organisations.CountAsync(Ct));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_database_made_by_the_earlier_identity_bootstrap_is_adopted_and_keeps_its_rows(AppDatabaseProvider provider)
    {
        await using var database = await TestAppDatabase.CreateAsync(provider, Ct, migrate: false);
        await using (var db = await database.Databases.CreateDbContextAsync(Ct))
        {
            await PlantBootstrappedIdentityAsync(db, Ct);
            db.Organisations.Add(new Organisation { Id = "kept", Name = "Kept Ltd", TimeZone = "Europe/London", ReportingCurrency = "GBP", CreatedAt = WebNow });
            await db.SaveChangesAsync(Ct);
            Assert.False(await AppDatabase.TableExistsAsync(db, "Stores", Ct));
        }

        await using (var db = await database.Databases.CreateDbContextAsync(Ct))
        {
            await AppDatabase.MigrateAsync(db, Ct);

            Assert.Equal("Kept Ltd", (await db.Organisations.SingleAsync(Ct)).Name);
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(Ct));
            Assert.True(await AppDatabase.TableExistsAsync(db, "Stores", Ct));
            Assert.True(await AppDatabase.TableExistsAsync(db, AppDataModel.AuditTable, Ct));
        }
    }

    private static readonly DateTimeOffset WebNow = Hosting.WebAppFactory.Now;

    /// <summary>
    /// The identity tables exactly as the earlier bootstrap (EnsureCreated-style, no migrations history) made them: the
    /// baseline migration was generated from that model, so its DDL without the history table is that database.
    /// </summary>
    internal static async Task PlantBootstrappedIdentityAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var baseline = db.Database.GetMigrations().First(m => m.EndsWith("_" + AppDatabase.BaselineMigration, StringComparison.Ordinal));
        var script = db.GetService<IMigrator>().GenerateScript(Migration.InitialDatabase, baseline);
        await db.Database.ExecuteSqlRawAsync(script, cancellationToken);
        await db.Database.ExecuteSqlRawAsync("DROP TABLE \"__EFMigrationsHistory\"", cancellationToken);
        Assert.True(await AppDatabase.TableExistsAsync(db, "Organisations", cancellationToken));
        Assert.False(await AppDatabase.TableExistsAsync(db, "__EFMigrationsHistory", cancellationToken));
    }
}
