using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.Options;
using SalesDash.Web.Identity;

namespace SalesDash.Web.AppData;

/// <summary>
/// The app database on SQLite. Its own type only so EF Core finds the SQLite migrations (Migrations/Sqlite): a
/// migration belongs to one context type, and the two providers need different DDL (types, identity columns, triggers).
/// </summary>
public sealed class SqliteAppDbContext(DbContextOptions<AppIdentityDbContext> options) : AppIdentityDbContext(options);

/// <summary>The app database on PostgreSQL, with its own migrations (Migrations/PostgreSql); see <see cref="SqliteAppDbContext"/>.</summary>
public sealed class PostgresAppDbContext(DbContextOptions<AppIdentityDbContext> options) : AppIdentityDbContext(options);

/// <summary>Hands out the context of the configured provider, so every consumer asks for <see cref="AppIdentityDbContext"/> alone.</summary>
internal sealed class AppDbContextFactory(DbContextOptions<AppIdentityDbContext> options, IOptions<AppDatabaseOptions> database)
    : IDbContextFactory<AppIdentityDbContext>
{
    public AppIdentityDbContext CreateDbContext() => database.Value.Provider == AppDatabaseProvider.PostgreSQL
        ? new PostgresAppDbContext(options)
        : new SqliteAppDbContext(options);
}

/// <summary>For `dotnet ef migrations add X --context SqliteAppDbContext --output-dir AppData/Migrations/Sqlite`.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppIdentityDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For `dotnet ef migrations add X --context PostgresAppDbContext --output-dir AppData/Migrations/PostgreSql`; connects to nothing.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AppIdentityDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
