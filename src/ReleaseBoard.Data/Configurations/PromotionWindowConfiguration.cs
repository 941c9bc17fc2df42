using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using ReleaseBoard.Data.Entities;

namespace ReleaseBoard.Data.Configurations;

internal sealed class PromotionWindowConfiguration : IEntityTypeConfiguration<PromotionWindow>
{
    public void Configure(EntityTypeBuilder<PromotionWindow> builder)
    {
        builder.ToTable("PromotionWindows");
        builder.Property(w => w.Kind).HasConversion<string>().HasMaxLength(8);
        builder.Property(w => w.Rule).HasMaxLength(100);
        builder.Property(w => w.Reason).HasMaxLength(300);
        builder.Property(w => w.CreatedBy).HasMaxLength(200);
        builder.HasIndex(w => w.EnvironmentId);
        builder.HasOne(w => w.Environment).WithMany(e => e.Windows).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FreezeConfiguration : IEntityTypeConfiguration<Freeze>
{
    public void Configure(EntityTypeBuilder<Freeze> builder)
    {
        builder.ToTable("Freezes");
        builder.Property(f => f.Reason).HasMaxLength(300);
        builder.Property(f => f.CreatedBy).HasMaxLength(200);
        builder.Property(f => f.CancelledBy).HasMaxLength(200);
        builder.HasIndex(f => f.EndsAt);
        builder.HasOne(f => f.Environment).WithMany().OnDelete(DeleteBehavior.Cascade);
        // SQL Server refuses a second cascade path (team -> service -> environment -> freeze).
        builder.HasOne(f => f.Team).WithMany().OnDelete(DeleteBehavior.NoAction);
    }
}
