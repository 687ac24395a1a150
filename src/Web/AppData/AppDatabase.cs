using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>
/// Brings the app database to the current migration before anything reads it: adopts a database that the earlier
/// identity bootstrap (EnsureCreated-style, no migrations history) made, then applies the pending migrations.
/// </summary>
public static class AppDatabase
{
    /// <summary>The SQLite file of the app database inside Engine:DataDirectory when no connection string is given.</summary>
    public const string SqliteFileName = "salesdash.db";

    /// <summary>Where identity lived before it became the app database; copied into <see cref="SqliteFileName"/> once.</summary>
    public const string LegacyIdentityFileName = "identity.db";

    /// <summary>The first migration: exactly the identity tables the earlier bootstrap created.</summary>
    public const string BaselineMigration = "IdentityBaseline";

    /// <summary>The SQLite file of the app database, or null when the configuration names another connection.</summary>
    public static string SqliteConnectionString(AppDatabaseOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, SqliteFileName), DefaultTimeout = 30 }.ToString()
            : options.ConnectionString;
    }

    /// <summary>
    /// Before the first open of a new default SQLite file: an identity.db of an earlier version becomes its start (an
    /// online backup, so a file in WAL mode is copied whole); identity.db itself is left as it was.
    /// </summary>
    public static void CarryOverLegacyIdentityFile(AppDatabaseOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider != AppDatabaseProvider.Sqlite || !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return;
        }

        var target = Path.Combine(dataDirectory, SqliteFileName);
        var legacy = Path.Combine(dataDirectory, LegacyIdentityFileName);
        if (File.Exists(target) || !File.Exists(legacy))
        {
            return;
        }

        var partial = target + ".partial";
        File.Delete(partial);
        using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = legacy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ToString()))
        {
            source.Open();
            copy.Open();
            source.BackupDatabase(copy);
        }

        // Renamed only when complete, so a crash mid-copy never leaves a half database that looks adopted.
        File.Move(partial, target);
    }

    public static async Task MigrateAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers run beside the one writer instead of failing with SQLITE_BUSY; the mode stays in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await AdoptBootstrappedIdentityAsync(db, cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// A database whose identity tables exist without a migrations history was made by the earlier bootstrap from the
    /// same model the baseline migration was generated from: record the baseline as applied, so migrating keeps its rows.
    /// </summary>
    private static async Task AdoptBootstrappedIdentityAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken) || !await TableExistsAsync(db, "Organisations", cancellationToken))
        {
            return;
        }

        var history = db.GetService<IHistoryRepository>();
        var baseline = db.Database.GetMigrations().First(m => m.EndsWith("_" + BaselineMigration, StringComparison.Ordinal));
        if (await history.ExistsAsync(cancellationToken)
            && (await history.GetAppliedMigrationsAsync(cancellationToken)).Any(m => m.MigrationId == baseline))
        {
            return;
        }

        try
        {
            await history.CreateIfNotExistsAsync(cancellationToken);
            var version = typeof(DbContext).Assembly.GetName().Version?.ToString(3) ?? "10.0.0";
            await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(baseline, version)), cancellationToken);
        }
        catch (DbException)
        {
            // Another node adopted it at the same moment; if not, this is a real failure.
            if (!(await history.GetAppliedMigrationsAsync(cancellationToken)).Any(m => m.MigrationId == baseline))
            {
                throw;
            }
        }
    }

    // Asks the catalogue rather than querying the table and catching the error, so a first start logs no failure.
    internal static async Task<bool> TableExistsAsync(AppIdentityDbContext db, string table, CancellationToken cancellationToken)
    {
        var sql = db.Database.IsNpgsql()
            ? "SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}"
            : "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {0}";
        return await db.Database.SqlQueryRaw<int>(sql, table).SingleAsync(cancellationToken) > 0;
    }
}
