"""Seeded mistakes and correct variants for T5, MNIST."""

from tests.project.corpus.cases import Mistake, Variant

MISTAKES = [
    Mistake("mnist: accuracy returned instead of error", "mnist", '''
def classification_error(outputs, labels):
    scores = outputs.detach().cpu().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
    truth = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float(100.0 * np.mean(scores.argmax(axis=1) == truth))
''', loses=("mnist.classification_error",), says="ACCURACY"),
    Mistake("mnist: a fraction instead of a percent", "mnist", '''
def classification_error(outputs, labels):
    scores = outputs.detach().cpu().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
    truth = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float(np.mean(scores.argmax(axis=1) != truth))
''', loses=("mnist.classification_error",), says="percent"),
    Mistake("mnist: argmin instead of argmax", "mnist", '''
def classification_error(outputs, labels):
    scores = outputs.detach().cpu().numpy() if isinstance(outputs, torch.Tensor) else np.asarray(outputs)
    truth = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return float(100.0 * np.mean(scores.argmin(axis=1) != truth))
''', loses=("mnist.classification_error",), says="expected"),
    Mistake("mnist: train_step never calls optimizer.step()", "mnist", '''
def train_step(model, optimizer, images, labels):
    optimizer.zero_grad()
    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    return float(loss.item())
''', loses=("mnist.train_step_lowers_loss",), says="optimizer.step()"),
    Mistake("mnist: plot with the training curve only", "mnist", '''
def plot_losses(train_losses, test_losses):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot(train_losses, label="train")
    ax.legend()
    return fig
''', loses=("mnist.loss_plot",), says="test"),
]

VARIANTS = [
    Variant("mnist: error as a tensor scalar", "mnist", '''
def classification_error(outputs, labels):
    outputs, labels = torch.as_tensor(outputs), torch.as_tensor(labels)
    return (outputs.argmax(dim=1) != labels).float().mean() * 100
'''),
    Variant("mnist: plot on the current figure, returning plt.gcf()", "mnist", '''
def plot_losses(train_losses, test_losses):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.figure()
    plt.plot(range(1, len(train_losses) + 1), train_losses, "b-", label="training loss")
    plt.plot(range(1, len(test_losses) + 1), test_losses, "r--", label="test loss")
    plt.legend()
    return plt.gcf()
'''),
]
