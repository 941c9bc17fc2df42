using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data;

public class ReleaseBoardDbContext(DbContextOptions<ReleaseBoardDbContext> options)
    : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceEnvironment> Environments => Set<ServiceEnvironment>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<Catch> Catches => Set<Catch>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SystemFlag> SystemFlags => Set<SystemFlag>();

    /// <summary>Data Protection keys live in the database so logins and display links survive restarts and work across instances.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ReleaseBoardDbContext).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
