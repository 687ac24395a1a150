using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using SalesDash.Engine;
using SalesDash.Web.Demo;
using SalesDash.Web.Stores;

namespace SalesDash.Web.Identity;

/// <summary>
/// Before the server takes traffic: creates the identity schema, an organisation for every tenant that configuration
/// declares stores for (so configured stores always belong to someone), and with the demo on, the demo organisation
/// and its owner, whose password is generated at first start, stored hashed and shown once on the console.
/// </summary>
internal sealed class IdentitySeeder(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IOptions<DemoOptions> demo,
    IOptions<EngineOptions> engine,
    TimeProvider time,
    ILogger<IdentitySeeder> logger) : IHostedService
{
    public const string DemoOwnerEmail = "demo@salesdash.local";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        await CreateSchemaAsync(db, cancellationToken);
        await ImportFileKeyRingAsync(db, cancellationToken);

        foreach (var seed in configuration.GetSection("Stores").Get<List<StoreSeed>>() ?? [])
        {
            await EnsureOrganisationAsync(db, seed.TenantId, seed.TenantId, seed.TimeZone, seed.Currency, cancellationToken);
        }

        if (demo.Value.Enabled)
        {
            await EnsureOrganisationAsync(db, demo.Value.TenantId, "Demo", demo.Value.TimeZone, demo.Value.Currency, cancellationToken);
            await EnsureDemoOwnerAsync(db, scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Like EnsureCreated, but also when the database already holds other tables (PostgreSQL shared with the journal):
    /// EnsureCreated would see those and create nothing.
    /// </summary>
    internal static async Task CreateSchemaAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (DbException)
            {
                // Another node may have created it first; if not, this is a real failure.
                if (!await creator.ExistsAsync(cancellationToken))
                {
                    throw;
                }
            }
        }

        if (await SchemaExistsAsync(db, cancellationToken))
        {
            return;
        }

        try
        {
            await creator.CreateTablesAsync(cancellationToken);
        }
        catch (DbException)
        {
            // Another node may have created the tables between our check and our create; if not, this is a real failure.
            if (!await SchemaExistsAsync(db, cancellationToken))
            {
                throw;
            }
        }
    }

    // Asks the catalogue rather than querying the table and catching the error, so a first start logs no failure.
    private static async Task<bool> SchemaExistsAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var table = db.Model.FindEntityType(typeof(Organisation))?.GetTableName()
            ?? throw new InvalidOperationException("The identity model has no organisations table.");
        var sql = db.Database.IsNpgsql()
            ? "SELECT COUNT(*)::int AS \"Value\" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}"
            : "SELECT COUNT(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = {0}";
        return await db.Database.SqlQueryRaw<int>(sql, table).SingleAsync(cancellationToken) > 0;
    }

    /// <summary>
    /// Installs from before the key ring moved into the database kept it in {DataDirectory}/keys; those keys are copied
    /// in once, so channel credentials encrypted with them still open.
    /// </summary>
    private async Task ImportFileKeyRingAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(Path.Combine(engine.Value.DataDirectory, "keys"));
        if (!folder.Exists || await db.DataProtectionKeys.AnyAsync(cancellationToken))
        {
            return;
        }

        foreach (var file in folder.EnumerateFiles("key-*.xml"))
        {
            db.DataProtectionKeys.Add(new DataProtectionKey
            {
                FriendlyName = Path.GetFileNameWithoutExtension(file.Name),
                Xml = await File.ReadAllTextAsync(file.FullName, cancellationToken),
            });
        }

        var imported = await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Data Protection: {Count} keys imported from {Folder} into the shared database", imported, folder.FullName);
    }

    private async Task EnsureOrganisationAsync(
        AppIdentityDbContext db, string id, string name, string timeZone, string currency, CancellationToken cancellationToken)
    {
        if (await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return;
        }

        db.Organisations.Add(new Organisation
        {
            Id = id,
            Name = name,
            TimeZone = timeZone,
            ReportingCurrency = currency.ToUpperInvariant(),
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Organisation {Organisation} created for configured stores", id);
    }

    private async Task EnsureDemoOwnerAsync(AppIdentityDbContext db, UserManager<AppUser> users, CancellationToken cancellationToken)
    {
        var reset = configuration.GetValue<bool>("Demo:ResetOwnerPassword");
        var owner = await users.FindByEmailAsync(DemoOwnerEmail);
        if (owner is not null && !reset)
        {
            logger.LogInformation("Demo: sign in as {Email} with the password shown at first start (Demo__ResetOwnerPassword=true for a new one)", DemoOwnerEmail);
            return;
        }

        var password = GeneratePassword();
        IdentityResult result;
        if (owner is null)
        {
            owner = new AppUser { UserName = DemoOwnerEmail, Email = DemoOwnerEmail, EmailConfirmed = true, DisplayName = "Demo Owner", CreatedAt = time.GetUtcNow() };
            result = await users.CreateAsync(owner, password);
        }
        else
        {
            await users.RemovePasswordAsync(owner);
            result = await users.AddPasswordAsync(owner, password);
            await users.SetLockoutEndDateAsync(owner, null);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"The demo owner could not be created: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }

        var orgId = demo.Value.TenantId;
        if (!await db.Memberships.AnyAsync(m => m.OrganisationId == orgId && m.UserId == owner.Id, cancellationToken))
        {
            db.Memberships.Add(new Membership { OrganisationId = orgId, UserId = owner.Id, Role = OrgRole.Owner, JoinedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }

        // Shown once, on the console of the person who started the server; only its hash is stored.
        Console.WriteLine();
        Console.WriteLine("============================================================");
        Console.WriteLine($"  Demo sign-in: {DemoOwnerEmail}");
        Console.WriteLine($"  Password:     {password}");
        Console.WriteLine("  (shown once; start with Demo__ResetOwnerPassword=true for a new one)");
        Console.WriteLine("============================================================");
        Console.WriteLine();
    }

    /// <summary>16 characters from an unambiguous alphabet with at least one upper, lower and digit (Identity's rules).</summary>
    private static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string lower = "abcdefghijkmnpqrstuvwxyz";
        const string digits = "23456789";
        const string all = upper + lower + digits;
        var chars = new char[16];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        for (var i = 3; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
