using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Tests.AppData;

/// <summary>
/// An empty app database of one provider, migrated: a SQLite file in a temp folder, or a database of its own on the
/// PostgreSQL server named by SALESDASH_POSTGRES (dropped afterwards). Without the variable a PostgreSQL test fails:
/// the cluster's database is never silently left untested.
/// </summary>
public sealed class TestAppDatabase : IAsyncDisposable
{
    public const string PostgresVariable = "SALESDASH_POSTGRES";

    private readonly string? _server;
    private readonly string? _folder;

    private TestAppDatabase(AppDatabaseProvider provider, string connectionString, string? server, string? name, string? folder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _server = server;
        Name = name;
        _folder = folder;
        var builder = new DbContextOptionsBuilder<AppIdentityDbContext>();
        var options = (provider == AppDatabaseProvider.PostgreSQL ? builder.UseNpgsql(connectionString) : builder.UseSqlite(connectionString)).Options;
        Databases = new AppDbContextFactory(options, Options.Create(new AppDatabaseOptions { Provider = provider, ConnectionString = connectionString }));
    }

    public AppDatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The PostgreSQL database's name; null on SQLite.</summary>
    public string? Name { get; }

    public IDbContextFactory<AppIdentityDbContext> Databases { get; }

    /// <summary>"AppDatabase:*" settings that point an app host at this database.</summary>
    public Dictionary<string, string> Settings => new()
    {
        ["AppDatabase:Provider"] = Provider.ToString(),
        ["AppDatabase:ConnectionString"] = ConnectionString,
    };

    /// <summary>A new, empty database; <paramref name="migrate"/> applies every migration.</summary>
    public static async Task<TestAppDatabase> CreateAsync(AppDatabaseProvider provider, CancellationToken cancellationToken, bool migrate = true)
    {
        TestAppDatabase database;
        if (provider == AppDatabaseProvider.PostgreSQL)
        {
            var server = Environment.GetEnvironmentVariable(PostgresVariable);
            Assert.False(string.IsNullOrWhiteSpace(server), $"{PostgresVariable} is not set: run scripts/services/postgres.sh and export its last line.");
            var name = $"salesdash_app_{Guid.NewGuid():N}";
            await using (var connection = new NpgsqlConnection(server))
            {
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            database = new TestAppDatabase(provider, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString, server, name, null);
        }
        else
        {
            var folder = Directory.CreateTempSubdirectory("salesdash-appdb-").FullName;
            database = new TestAppDatabase(provider, $"Data Source={Path.Combine(folder, AppDatabase.SqliteFileName)}", null, null, folder);
        }

        if (migrate)
        {
            await using var db = await database.Databases.CreateDbContextAsync(cancellationToken);
            await AppDatabase.MigrateAsync(db, cancellationToken);
        }

        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_server);
            await connection.OpenAsync();
            // FORCE ends sessions a stopping host may still hold, so the drop cannot wait on them.
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }

        if (_folder is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing connection leaves a temp folder behind; the results stand.
            }
        }
    }
}
