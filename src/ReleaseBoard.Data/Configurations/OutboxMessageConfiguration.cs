using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Key).HasMaxLength(300);
        builder.Property(m => m.Version).HasMaxLength(128);
        // Whoever saves a result must still hold the lease: another instance may have taken the message over.
        builder.Property(m => m.LeaseOwner).HasMaxLength(100).IsConcurrencyToken();
        builder.Property(m => m.LastError).HasMaxLength(1000);
        builder.Property(m => m.Event).HasMaxLength(60);
        builder.HasIndex(m => m.Key).IsUnique();
        builder.HasIndex(m => new { m.TargetId, m.State });
        builder.HasIndex(m => new { m.State, m.NextAttemptAt });
        builder.HasOne(m => m.Environment).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PromotionActionConfiguration : IEntityTypeConfiguration<PromotionAction>
{
    public void Configure(EntityTypeBuilder<PromotionAction> builder)
    {
        builder.ToTable("PromotionActions");
        builder.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Url).HasMaxLength(2000);
        builder.Property(a => a.Repository).HasMaxLength(200);
        builder.Property(a => a.Workflow).HasMaxLength(200);
        builder.Property(a => a.Ref).HasMaxLength(200);
        builder.Property(a => a.ProtectedSecret).HasMaxLength(2000).IsUnicode(false);
        builder.Property(a => a.CreatedBy).HasMaxLength(200);
        builder.HasIndex(a => a.EnvironmentId).IsUnique();
        builder.HasOne(a => a.Environment).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationTargetConfiguration : IEntityTypeConfiguration<NotificationTarget>
{
    public void Configure(EntityTypeBuilder<NotificationTarget> builder)
    {
        builder.ToTable("NotificationTargets");
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.ProtectedUrl).HasMaxLength(4000).IsUnicode(false);
        builder.Property(t => t.ShownUrl).HasMaxLength(300);
        builder.Property(t => t.ProtectedSecret).HasMaxLength(2000).IsUnicode(false);
        builder.Property(t => t.Events).HasMaxLength(500);
        builder.Property(t => t.CreatedBy).HasMaxLength(200);
        builder.HasOne(t => t.Team).WithMany().OnDelete(DeleteBehavior.Cascade);
    }
}
