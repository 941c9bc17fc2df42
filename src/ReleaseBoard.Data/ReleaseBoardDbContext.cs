using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data;

/// <summary>
/// The one store: the domain, ASP.NET Core Identity's users and roles, API keys, display links and Data Protection
/// keys.
/// </summary>
public class ReleaseBoardDbContext(DbContextOptions<ReleaseBoardDbContext> options)
    : IdentityDbContext<ReleaseBoardUser, IdentityRole, string>(options),
        IDataProtectionKeyContext
{
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<Service> Services => Set<Service>();
    public DbSet<ServiceEnvironment> Environments => Set<ServiceEnvironment>();
    public DbSet<Deployment> Deployments => Set<Deployment>();
    public DbSet<Incident> Incidents => Set<Incident>();
    public DbSet<Catch> Catches => Set<Catch>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<PromotionRequest> PromotionRequests => Set<PromotionRequest>();
    public DbSet<PromotionApproval> PromotionApprovals => Set<PromotionApproval>();
    public DbSet<SystemFlag> SystemFlags => Set<SystemFlag>();
    public DbSet<ChangeStamp> ChangeStamps => Set<ChangeStamp>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<DisplayLink> DisplayLinks => Set<DisplayLink>();
    public DbSet<WebhookSecret> WebhookSecrets => Set<WebhookSecret>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<SsoIdentity> SsoIdentities => Set<SsoIdentity>();
    public DbSet<PromotionWindow> PromotionWindows => Set<PromotionWindow>();
    public DbSet<Freeze> Freezes => Set<Freeze>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<PromotionAction> PromotionActions => Set<PromotionAction>();
    public DbSet<NotificationTarget> NotificationTargets => Set<NotificationTarget>();

    /// <summary>
    /// Data Protection keys live in the database so logins and display links survive restarts and work across
    /// instances.
    /// </summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder); // Identity's tables first
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ReleaseBoardDbContext).Assembly);
        DurationFunctions.Register(modelBuilder, Database.ProviderName);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
